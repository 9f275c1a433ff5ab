/**
 * Pretrained weights for fine-tuning: `readWeights` takes a `.pth`/`.pt` (torch.save zip) or a safetensors
 * file; `fitPretrained` checks the state dict against a model before anything is loaded and adapts it the
 * usual ways, each reported as a note: a `module.` prefix (DataParallel) stripped, 3-channel conv1 weights
 * summed over the input channels for a 1-channel model, and the classifier head left freshly initialised
 * when its class count differs (`replaceHead`). Keys of another architecture are an error that names a few
 * missing and unexpected keys and the known model they match. `loadWeightsFile` is what both apps call: the
 * fit and load plus the lines they show. Browser-safe (no node: imports): the CLI reads the file from disk,
 * the web worker from an upload.
 */
import {
  checkStateDict,
  describeStateDictProblems,
  Linear,
  type Module,
  resnet,
  type StateDict,
  StateDictError,
  type StateSpec,
  TorchvisionResNet,
} from "@resnet-ts/layers";
import { MODEL_NAMES, type ModelName } from "./model-names.js";
import { decodePth, isZip } from "./pth.js";
import { decodeSafetensors } from "./safetensors.js";

export class PretrainedError extends Error {
  constructor(message: string) {
    super(`pretrained: ${message}`);
    this.name = "PretrainedError";
  }
}

export interface WeightsFile {
  stateDict: StateDict;
  format: "pth" | "safetensors";
  notes: string[];
}

/**
 * Reads a state dict from a torch.save zip or a safetensors file, told apart by their first bytes (a file
 * named .pth/.pt that is neither is read as .pth, so that its error says what a .pth should be).
 */
export function readWeights(bytes: Uint8Array, fileName = "the file"): WeightsFile {
  if (isZip(bytes) || bytes[0] === 0x80 || /\.pth?$/i.test(fileName)) {
    return { format: "pth", ...decodePth(bytes, fileName) };
  }
  return { format: "safetensors", stateDict: decodeSafetensors(bytes).tensors, notes: [] };
}

export interface FitOptions {
  /** Keep the model's new head when the file's head has another class count (default true). */
  replaceHead?: boolean;
}

export interface FitResult {
  /** A state dict with the model's keys and shapes, but for the replaced head's keys (`replacedHead`). */
  stateDict: StateDict;
  notes: string[];
  /** The head's keys that were not taken from the file (empty when it was). */
  replacedHead: string[];
}

/** The module name of a model's classifier: its last Linear ("fc" in torchvision's nets, "7" in d2l's). */
export function headName(model: Module): string {
  const linear = model.namedModules().filter(([, m]) => m instanceof Linear);
  const last = linear.at(-1);
  if (!last) throw new PretrainedError("the model has no Linear classifier to replace");
  return last[0];
}

let knownKeys: Map<ModelName, Set<string>> | null = null;
/** Each known model's key set (built at width 1: the keys do not depend on the widths). */
function known(): Map<ModelName, Set<string>> {
  knownKeys ??= new Map(
    MODEL_NAMES.map((name) => {
      const net =
        name === "d2l-resnet18"
          ? resnet({ widths: [1, 1, 1, 1], numClasses: 1 })
          : new TorchvisionResNet(name, { widths: [1, 1, 1, 1], numClasses: 1 });
      return [name, new Set(Object.keys(net.stateSpec()))];
    }),
  );
  return knownKeys;
}

/** The known model a spec is of, or "the model". */
const knownName = (spec: StateSpec) => matchKnownModel(Object.keys(spec)) ?? "the model";

/** The known model whose keys are exactly these, if any. */
export function matchKnownModel(keys: readonly string[]): ModelName | null {
  for (const [name, set] of known()) {
    if (set.size === keys.length && keys.every((k) => set.has(k))) return name;
  }
  return null;
}

export function fitPretrained(
  model: Module,
  file: StateDict,
  { replaceHead = true }: FitOptions = {},
): FitResult {
  const notes: string[] = [];
  let dict = file;
  const keys = Object.keys(dict);
  if (keys.length && keys.every((k) => k.startsWith("module."))) {
    dict = Object.fromEntries(Object.entries(dict).map(([k, v]) => [k.slice("module.".length), v]));
    notes.push("stripped the 'module.' prefix (a DataParallel state dict)");
  }
  const expected = model.stateSpec();
  // Keys first: shapes may still be adapted below (the head, a 3-channel stem).
  const { missingKeys, unexpectedKeys, modelKeys } = checkStateDict(expected, dict);
  if (missingKeys.length || unexpectedKeys.length) {
    const match = matchKnownModel(Object.keys(dict));
    throw new PretrainedError(
      `the weights do not fit ${knownName(expected)}: ` +
        describeStateDictProblems({ missingKeys, unexpectedKeys, mismatched: [], modelKeys }) +
        (match ? `; they are ${match}'s weights (choose that model)` : ""),
    );
  }
  const head = headName(model);
  const headKeys = Object.keys(expected).filter((k) => k.startsWith(`${head}.`));
  const out: StateDict = {};
  let replacedHead: string[] = [];
  const fileHead = dict[`${head}.weight`]!;
  const modelHead = expected[`${head}.weight`]!;
  if (fileHead.shape.join() !== modelHead.shape.join()) {
    if (!replaceHead || fileHead.shape[1] !== modelHead.shape[1]) {
      throw new PretrainedError(
        `the head ${head}.weight is [${fileHead.shape}] in the file and [${modelHead.shape}] in the model` +
          (replaceHead ? "" : "; allow head replacement to train a new head for this class count"),
      );
    }
    replacedHead = headKeys;
    notes.push(
      `head: ${head} replaced (${fileHead.shape[0]} classes in the file, ${modelHead.shape[0]} here), freshly initialised`,
    );
  }
  for (const [key, want] of Object.entries(expected)) {
    if (replacedHead.includes(key)) continue;
    const t = dict[key]!;
    const isStem = want.shape.length === 4 && t.shape.length === 4 && key === firstConv(expected);
    if (isStem && t.shape[1] === 3 && want.shape[1] === 1 && sameExcept(t.shape, want.shape, 1)) {
      out[key] = { dtype: "float32", shape: want.shape, data: sumChannels(t.data as Float32Array, t.shape) };
      notes.push(`${key}: the 3-channel weights summed over the input channels for this 1-channel model`);
      continue;
    }
    out[key] = t;
  }
  // Shapes and dtypes of everything else are checked (and reported all together) by loadStateDict.
  return { stateDict: out, notes, replacedHead };
}

/**
 * Fits and loads pretrained weights into `model` (non-strict only in that the replaced head's keys, which
 * the fit leaves out, keep the model's values); on any error the model is unchanged.
 */
export function loadPretrained(model: Module, file: StateDict, options: FitOptions = {}): FitResult {
  const fit = fitPretrained(model, file, options);
  try {
    model.loadStateDict(fit.stateDict, { strict: fit.replacedHead.length === 0 });
  } catch (error) {
    if (!(error instanceof StateDictError)) throw error;
    throw new PretrainedError(`the weights do not fit ${knownName(model.stateSpec())}: ${error.detail}`);
  }
  return fit;
}

export interface WeightsFileLoad extends FitResult {
  /** One line: the file's format and name and the model it went into. */
  line: string;
}

/**
 * Loads a file `readWeights` read into `model` (`loadPretrained`), with what the CLI and the web app report:
 * one line naming the format, the file and the model (`modelName`, e.g. the config's `model`), and the
 * reader's notes followed by the fit's. Errors are one line and leave the model unchanged.
 */
export function loadWeightsFile(
  model: Module,
  file: WeightsFile,
  { fileName, modelName, ...options }: FitOptions & { fileName: string; modelName: string },
): WeightsFileLoad {
  const fit = loadPretrained(model, file.stateDict, options);
  return {
    ...fit,
    notes: [...file.notes, ...fit.notes],
    line: `${file.format} weights from ${fileName} loaded into ${modelName}`,
  };
}

const firstConv = (spec: StateSpec) => Object.keys(spec).find((k) => spec[k]!.shape.length === 4);
const sameExcept = (a: number[], b: number[], axis: number) => a.every((d, i) => i === axis || d === b[i]);

function sumChannels(data: Float32Array, [out, inC, kh, kw]: number[]): Float32Array {
  const taps = kh! * kw!;
  const result = new Float32Array(out! * taps);
  for (let o = 0; o < out!; o++)
    for (let c = 0; c < inC!; c++)
      for (let t = 0; t < taps; t++) result[o * taps + t]! += data[(o * inC! + c) * taps + t]!;
  return result;
}
