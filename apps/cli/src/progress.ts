/** A progress bar per epoch on stderr (cli-progress): loss, accuracy, images/s and ETA. */
import { SingleBar } from "cli-progress";

export interface EpochBar {
  update(done: number, values: { loss: number; accuracy: number; imagesPerSecond: number }): void;
  stop(): void;
}

export function epochBar(label: string, total: number, stream: NodeJS.WriteStream): EpochBar {
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} steps | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}`,
    stream,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
    barsize: 24,
  });
  bar.start(total, 0, { loss: "-", acc: "-", ips: "-" });
  return {
    update: (done, v) =>
      bar.update(done, {
        loss: v.loss.toFixed(4),
        acc: v.accuracy.toFixed(3),
        ips: v.imagesPerSecond.toFixed(1),
      }),
    stop: () => bar.stop(),
  };
}
