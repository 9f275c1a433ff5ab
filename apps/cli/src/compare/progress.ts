/**
 * The study's progress on stderr: on a terminal, one bar per run in flight and one for the whole study
 * (weighted by layers x steps, so its ETA allows for deep runs costing more); elsewhere (a log file), a
 * line per run every tenth of its steps and when it finishes.
 */
import { MultiBar, type SingleBar } from "cli-progress";

export interface StudyProgress {
  start(key: string, label: string, weight: number): void;
  step(key: string, step: number, loss: number): void;
  finish(key: string): void;
  stop(): void;
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

export function studyProgress(
  stream: NodeJS.WriteStream,
  totalRuns: number,
  doneRuns: number,
  steps: number,
  totalWeight: number,
): StudyProgress {
  const started = performance.now();
  let doneWeight = 0;
  let done = doneRuns;
  const live = new Map<string, { label: string; weight: number; step: number; bar?: SingleBar }>();
  const fraction = () =>
    (doneWeight + [...live.values()].reduce((a, r) => a + (r.weight * r.step) / steps, 0)) /
    Math.max(1, totalWeight);
  const eta = () => {
    const f = fraction();
    return f > 0 ? minutes(((performance.now() - started) * (1 - f)) / f) : "?";
  };
  if (stream.isTTY) {
    const multi = new MultiBar({
      stream,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 20,
      format: "{label} [{bar}] {value}/{total} {unit} | {info}",
    });
    const overall = multi.create(totalRuns, done, { label: "study".padEnd(34), unit: "runs", info: "" });
    const refresh = () => overall.update(done, { info: `ETA ${eta()}` });
    return {
      start(key, label, weight) {
        const bar = multi.create(steps, 0, { label: label.padEnd(34), unit: "steps", info: "" });
        live.set(key, { label, weight, step: 0, bar });
      },
      step(key, step, loss) {
        const run = live.get(key);
        if (!run) return;
        run.step = step;
        run.bar?.update(step, { info: `loss ${loss.toFixed(4)}` });
        refresh();
      },
      finish(key) {
        const run = live.get(key);
        if (!run) return;
        if (run.bar) multi.remove(run.bar);
        live.delete(key);
        doneWeight += run.weight;
        done++;
        refresh();
      },
      stop: () => multi.stop(),
    };
  }
  const every = Math.max(1, Math.round(steps / 10));
  const write = (text: string) => stream.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
  return {
    start(key, label, weight) {
      live.set(key, { label, weight, step: 0 });
      write(`started ${label}`);
    },
    step(key, step, loss) {
      const run = live.get(key);
      if (!run) return;
      run.step = step;
      if (step % every === 0)
        write(`${run.label}: step ${step}/${steps}, loss ${loss.toFixed(4)}; study ETA ${eta()}`);
    },
    finish(key) {
      const run = live.get(key);
      if (!run) return;
      live.delete(key);
      doneWeight += run.weight;
      done++;
      write(`finished ${run.label} (${done}/${totalRuns} runs done; study ETA ${eta()})`);
    },
    stop() {},
  };
}
