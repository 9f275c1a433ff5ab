/**
 * The published study's results (docs/compare/study/<preset>.summary.json, written by `resnet-ts compare
 * --preset`), bundled with the page so that a live run can be set beside them. Missing files (a study not
 * yet run) leave a preset without recorded results.
 */
import type { RecordedStudy } from "@resnet-ts/trainer";

const files = import.meta.glob<RecordedStudy>("../../../../docs/compare/study/*.summary.json", {
  eager: true,
  import: "default",
});

export const RECORDED_STUDIES: ReadonlyMap<string, RecordedStudy> = new Map(
  Object.values(files).map((study) => [study.name, study]),
);
