export async function startBench(root: HTMLElement): Promise<void> {
  root.textContent = "bench";
}
