/**
 * PyTorch's `.pth` / `.pt` files as `torch.save` writes them since PyTorch 1.6: a zip holding
 * `<name>/data.pkl` (the pickled object, read by pickle.ts's restricted unpickler) and one raw little-endian
 * storage per tensor at `<name>/data/<key>`. `decodePth` returns the state dict inside (the top-level dict,
 * or the one under "state_dict" / "model"), float16 and bfloat16 widened to float32, int64 kept.
 */
import type { StateDict, StateTensor } from "@resnet-ts/layers";
import { PickleError, type PickleValue, PickleTuple, type TensorRef, unpickle } from "./pickle.js";
import { readStoredZip, ZipError } from "./zip.js";

/** A file that is not a readable PyTorch state dict; the message is one line that says why. */
export class PthError extends Error {
  constructor(message: string) {
    super(`pth: ${message}`);
    this.name = "PthError";
  }
}

export interface PthFile {
  stateDict: StateDict;
  /** What was done to get there (unwrapping, dtype widening), one line each. */
  notes: string[];
}

const STORAGES: Record<string, { dtype: string; bytes: number } | undefined> = {
  "torch.FloatStorage": { dtype: "float32", bytes: 4 },
  "torch.HalfStorage": { dtype: "float16", bytes: 2 },
  "torch.BFloat16Storage": { dtype: "bfloat16", bytes: 2 },
  "torch.LongStorage": { dtype: "int64", bytes: 8 },
};

/** Whether `bytes` starts like a zip (a torch.save file; safetensors starts with a header length). */
export const isZip = (bytes: Uint8Array) =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

export function decodePth(bytes: Uint8Array, fileName = "the file"): PthFile {
  try {
    return decode(bytes, fileName);
  } catch (error) {
    if (error instanceof ZipError || error instanceof PickleError) throw new PthError(error.message);
    throw error;
  }
}

function decode(bytes: Uint8Array, fileName: string): PthFile {
  if (!isZip(bytes)) {
    if (bytes[0] === 0x80) {
      throw new PthError(
        `${fileName} is in torch.save's legacy format (before PyTorch 1.6); re-save it with a newer PyTorch`,
      );
    }
    throw new PthError(`${fileName} is not a torch.save zip (it does not start with PK\\x03\\x04)`);
  }
  const entries = readStoredZip(bytes, fileName);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw new PthError(`${fileName} has ${pickles.length} '<name>/data.pkl' entries, expected exactly one`);
  }
  const root = pickles[0]!.slice(0, -"data.pkl".length);
  const order = entries.get(`${root}byteorder`);
  if (order && new TextDecoder().decode(order) !== "little") {
    throw new PthError(`${fileName} holds big-endian storages; only little-endian files are read`);
  }
  const storages = new Map<string, { type: string; bytes: Uint8Array; numel: number }>();
  const persistentLoad = (id: PickleValue) => {
    const items = id instanceof PickleTuple ? id.items : [];
    const [tag, type, key, , numel] = items;
    if (tag !== "storage" || typeof key !== "string" || typeof numel !== "number") {
      throw new PthError(`${fileName}: a persistent id is not a storage reference`);
    }
    const typeName =
      type && typeof type === "object" && "kind" in type && type.kind === "global" ? type.name : "?";
    const data = entries.get(`${root}data/${key}`);
    if (!data) throw new PthError(`${fileName}: storage '${key}' is missing from the archive`);
    const storage = { type: typeName, bytes: data, numel };
    storages.set(key, storage);
    return storage;
  };
  const value = unpickle(entries.get(pickles[0]!)!, persistentLoad, `${fileName} (${pickles[0]})`);

  const notes: string[] = [];
  const dict = findStateDict(value, fileName, notes);
  const stateDict: StateDict = {};
  const widened = new Set<string>();
  for (const [key, ref] of dict) stateDict[key] = readTensor(key, ref, fileName, widened);
  if (widened.size) notes.push(`${[...widened].join(" and ")} tensors widened to float32`);
  return { stateDict, notes };
}

const isTensor = (v: PickleValue | undefined): v is TensorRef =>
  !!v && typeof v === "object" && "kind" in v && v.kind === "tensor";

/** The dict of tensors: the top level, or the value under "state_dict" or "model". */
function findStateDict(value: PickleValue, fileName: string, notes: string[]): [string, TensorRef][] {
  if (!(value instanceof Map))
    throw new PthError(`${fileName} holds no dict (a state dict is a dict of tensors)`);
  const asTensors = (m: Map<PickleValue, PickleValue>) =>
    m.size > 0 && [...m].every(([k, v]) => typeof k === "string" && isTensor(v))
      ? ([...m] as [string, TensorRef][])
      : null;
  const direct = asTensors(value);
  if (direct) return direct;
  for (const key of ["state_dict", "model"]) {
    const inner = value.get(key);
    if (inner instanceof Map) {
      const found = asTensors(inner);
      if (found) {
        notes.push(`the state dict is ${fileName}'s "${key}" entry`);
        return found;
      }
    }
  }
  const keys = [...value.keys()].slice(0, 5).map(String);
  throw new PthError(
    `${fileName} is a dict (keys ${keys.join(", ")}${value.size > 5 ? ", ..." : ""}) but neither it nor its ` +
      `"state_dict" or "model" entry is a dict of tensors`,
  );
}

function readTensor(key: string, ref: TensorRef, fileName: string, widened: Set<string>): StateTensor {
  const storage = ref.storage as { type: string; bytes: Uint8Array; numel: number };
  const kind = STORAGES[storage.type];
  if (!kind) {
    throw new PthError(
      `${fileName}: tensor '${key}' is ${storage.type}; this reader takes float32, float16, bfloat16 and int64`,
    );
  }
  if (storage.bytes.length < storage.numel * kind.bytes) {
    throw new PthError(
      `${fileName}: tensor '${key}''s storage holds ${storage.bytes.length} bytes, its ${storage.numel} ` +
        `${kind.dtype} values need ${storage.numel * kind.bytes}`,
    );
  }
  const n = ref.size.reduce((a, b) => a * b, 1);
  const last = n === 0 ? 0 : ref.size.reduce((s, d, i) => s + (d - 1) * ref.stride[i]!, ref.offset) + 1;
  if (last > storage.numel) {
    throw new PthError(
      `${fileName}: tensor '${key}' of shape [${ref.size}] at offset ${ref.offset} reads ${last} values of a ` +
        `storage of ${storage.numel}`,
    );
  }
  const view = new DataView(storage.bytes.buffer, storage.bytes.byteOffset, storage.bytes.byteLength);
  const index = strided(ref.size, ref.stride, ref.offset);
  const shape = [...ref.size];
  if (kind.dtype === "int64") {
    const data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getBigInt64(index(i) * 8, true);
    return { dtype: "int64", shape, data };
  }
  const data = new Float32Array(n);
  if (kind.dtype === "float32") {
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(index(i) * 4, true);
  } else {
    widened.add(kind.dtype);
    const half = kind.dtype === "float16" ? f16 : bf16;
    for (let i = 0; i < n; i++) data[i] = half(view.getUint16(index(i) * 2, true));
  }
  return { dtype: "float32", shape, data };
}

/** Row-major element i's position in a strided storage. */
function strided(size: number[], stride: number[], offset: number): (i: number) => number {
  const contiguous = size.every(
    (_, d) => stride[d] === size.slice(d + 1).reduce((a, b) => a * b, 1) || size[d] === 1,
  );
  if (contiguous) return (i) => offset + i;
  return (i) => {
    let pos = offset;
    for (let d = size.length - 1; d >= 0; d--) {
      pos += (i % size[d]!) * stride[d]!;
      i = Math.floor(i / size[d]!);
    }
    return pos;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bf16(bits: number): number {
  u32[0] = bits << 16;
  return f32[0]!;
}

function f16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
