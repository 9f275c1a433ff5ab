/** The one-line report of what a data set holds (layout, classes and counts, channels, size). */
import type { DataSplits } from "./dataset.js";

const LAYOUT_NAMES = {
  "fashion-mnist": "Fashion-MNIST",
  idx: "IDX files",
  "image-folder": "class folders",
  cifar10: "CIFAR-10 binary",
};

/** E.g. `class folders /x: 3 classes (cat 40, dog 38, fox 41), 107 train / 12 test images, 3x32x32`. */
export function describeSplits(splits: DataSplits, maxClasses = 6): string {
  const { train, test, classNames } = splits;
  const counts = new Array<number>(classNames.length).fill(0);
  for (const l of train.labels) counts[l] = (counts[l] ?? 0) + 1;
  const shown = classNames.slice(0, maxClasses).map((n, i) => `${n} ${counts[i]}`);
  if (classNames.length > maxClasses) shown.push(`... ${classNames.length - maxClasses} more`);
  const layout = splits.layout ? `${LAYOUT_NAMES[splits.layout]} ` : "";
  return (
    `${layout}${splits.source}: ${classNames.length} classes (${shown.join(", ")}), ` +
    `${train.count} train / ${test.count} test images, ${splits.channels}x${train.rows}x${train.cols}`
  );
}
