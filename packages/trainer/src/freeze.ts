/**
 * Fine-tuning's frozen parts, by the config's `freeze` (none | backbone | stem | layers:N): the stem is
 * torchvision's conv1 + bn1 (d2l's stage "0"), layers:N adds the first N stages (torchvision's layer1..N,
 * d2l's "1".."N"), backbone is everything but the classifier head. Frozen parameters stop requiring a
 * gradient, so backward computes none for them and SGD skips them (as PyTorch does for grad None); with
 * `freezeBn` their BatchNorm layers are kept in eval mode (running statistics neither used from the batch
 * nor updated) whenever the model is put in train mode by the trainer.
 */
import { BatchNorm2d, type Module, TorchvisionResNet } from "@resnet-ts/layers";
import { headName } from "./pretrained.js";

export interface FrozenParts {
  /** Module-name prefixes that are frozen (e.g. "conv1", "bn1", "layer1"). */
  prefixes: string[];
  frozenParameters: number;
  trainableParameters: number;
  /** The BatchNorm layers inside the frozen parts. */
  batchNorms: BatchNorm2d[];
}

/** The frozen module prefixes of `model` for a freeze spec, without changing anything. */
export function frozenPrefixes(model: Module, spec: string): string[] {
  if (spec === "none") return [];
  const children = model.namedChildren().map(([name]) => name);
  const head = headName(model).split(".")[0]!;
  if (spec === "backbone") return children.filter((c) => c !== head);
  const tv = model instanceof TorchvisionResNet;
  const stem = tv ? ["conv1", "bn1"] : ["0"];
  if (spec === "stem") return stem;
  const match = /^layers:([1-4])$/.exec(spec);
  if (!match) throw new Error(`freeze: '${spec}' is not none, backbone, stem or layers:N (N from 1 to 4)`);
  const n = Number(match[1]);
  const stages = Array.from({ length: n }, (_, i) => (tv ? `layer${i + 1}` : String(i + 1)));
  const missing = stages.filter((s) => !children.includes(s));
  if (missing.length) throw new Error(`freeze: the model has no stage ${missing.join(", ")}`);
  return [...stem, ...stages];
}

const under = (name: string, prefixes: readonly string[]) =>
  prefixes.some((p) => name === p || name.startsWith(`${p}.`));

/** Freezes the parts `spec` names (and unfreezes the rest); returns what is frozen. */
export function applyFreeze(model: Module, spec: string): FrozenParts {
  const prefixes = frozenPrefixes(model, spec);
  let frozenParameters = 0;
  let trainableParameters = 0;
  for (const [name, p] of model.namedParameters()) {
    const frozen = under(name, prefixes);
    p.requireGrad(!frozen);
    if (frozen) frozenParameters += p.size;
    else trainableParameters += p.size;
  }
  const batchNorms = model
    .namedModules()
    .filter(([name, m]) => m instanceof BatchNorm2d && under(name, prefixes))
    .map(([, m]) => m as BatchNorm2d);
  return { prefixes, frozenParameters, trainableParameters, batchNorms };
}

/** Puts `model` in train mode except, with `freezeBn`, the frozen parts' BatchNorm layers. */
export function trainMode(model: Module, parts: FrozenParts | null, freezeBn: boolean): void {
  model.train();
  if (freezeBn && parts) for (const bn of parts.batchNorms) bn.eval();
}

/** One line on what `spec` froze (null when nothing is), as the CLI and the web app report it. */
export function describeFrozen(parts: FrozenParts, spec: string, freezeBn: boolean): string | null {
  if (parts.frozenParameters === 0) return null;
  const n = (count: number) => count.toLocaleString("en-US");
  return (
    `freeze ${spec}: ${n(parts.frozenParameters)} parameters frozen (${parts.prefixes.join(", ")}), ` +
    `${n(parts.trainableParameters)} trained` +
    (freezeBn ? "; their BatchNorm layers in eval mode" : "")
  );
}
