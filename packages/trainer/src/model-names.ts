/** The architectures a configuration can name, and the syntax of the `freeze` setting. */
export const MODEL_NAMES = ["d2l-resnet18", "resnet18", "resnet34", "resnet50"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** none | backbone | stem | layers:N (N = 1..4). */
export const FREEZE_PATTERN = /^(none|backbone|stem|layers:[1-4])$/;
