/** Lets the event loop run (UI events, a pause button, worker messages) between training steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
