import { describe, expect, it } from "vitest";
import { CROP_MAX_SIDE, DEFAULT_CONFIG, dataDefaults } from "../src/index.js";

describe("dataDefaults", () => {
  it("gives photos RandomCrop up to 64 px, RandomResizedCrop above, and the training split's normalisation", () => {
    expect(CROP_MAX_SIDE).toBe(64);
    for (const layout of ["image-folder", "cifar10"] as const) {
      expect(dataDefaults(layout, 16)).toEqual({ augment: "crop", normalize: "dataset" });
      expect(dataDefaults(layout, 64)).toEqual({ augment: "crop", normalize: "dataset" });
      expect(dataDefaults(layout, 65)).toEqual({ augment: "resized-crop", normalize: "dataset" });
      expect(dataDefaults(layout, 224)).toEqual({ augment: "resized-crop", normalize: "dataset" });
    }
  });

  it("leaves Fashion-MNIST and IDX files (and splits without a layout) as the config's defaults", () => {
    const config = { augment: DEFAULT_CONFIG.augment, normalize: DEFAULT_CONFIG.normalize };
    expect(config).toEqual({ augment: "none", normalize: "none" });
    for (const layout of ["fashion-mnist", "idx", undefined] as const) {
      expect(dataDefaults(layout, 28)).toEqual(config);
      expect(dataDefaults(layout, 96)).toEqual(config);
    }
  });
});
