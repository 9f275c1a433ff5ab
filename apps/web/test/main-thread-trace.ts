/**
 * The page's main-thread tasks over an interval, from a Chromium trace (CDP `Tracing`): each task's
 * wall time and its thread (CPU) time. Thread time is what the page's own work costs; wall time also
 * counts the time the OS ran other processes, which on a busy 2-core machine can stretch any task.
 */
import type { BrowserContext, Page } from "playwright-core";

export interface MainThreadTasks {
  /** Longest task, milliseconds of wall time and of thread time. */
  maxWallMs: number;
  maxThreadMs: number;
  tasks: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export async function traceMainThread(
  context: BrowserContext,
  page: Page,
  during: () => Promise<void>,
): Promise<MainThreadTasks> {
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
  await cdp.send("Tracing.start", { categories: "toplevel,__metadata", transferMode: "ReportEvents" });
  try {
    await during();
  } finally {
    await cdp.send("Tracing.end");
    await complete;
    await cdp.detach();
  }
  // The renderer's main thread is the thread named CrRendererMain in the process that runs the page.
  const mains = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const isMain = (e: TraceEvent) => mains.some((m) => m.pid === e.pid && m.tid === e.tid);
  const tasks = events.filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask" && isMain(e));
  return {
    maxWallMs: Math.max(0, ...tasks.map((t) => (t.dur ?? 0) / 1000)),
    maxThreadMs: Math.max(0, ...tasks.map((t) => (t.tdur ?? 0) / 1000)),
    tasks: tasks.length,
  };
}
