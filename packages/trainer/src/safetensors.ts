/**
 * The safetensors file format (Hugging Face), float32 and int64 tensors only:
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   a UTF-8 JSON object: {name: {"dtype": "F32"|"I64", "shape": [...], "data_offsets": [begin, end]},
 *             "__metadata__": {string: string}} (may end in spaces, which pad the data to 8-byte alignment)
 *   the rest  the byte buffer; each tensor's little-endian values at [begin, end) relative to its start.
 * The tensors' ranges must tile the buffer exactly: no gaps, no overlaps, nothing after the last.
 */
import type { StateDict, StateTensor } from "@resnet-ts/layers";

export type SafetensorsMetadata = Record<string, string>;

export interface SafetensorsFile {
  /** In the order of their data in the buffer. */
  tensors: StateDict;
  metadata: SafetensorsMetadata;
}

/** A file that is not valid safetensors (or holds a dtype this project does not read). */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = "SafetensorsError";
  }
}

const DTYPES = { F32: { dtype: "float32", bytes: 4 }, I64: { dtype: "int64", bytes: 8 } } as const;
type FileDtype = keyof typeof DTYPES;
const FILE_DTYPE: Record<StateTensor["dtype"], FileDtype> = { float32: "F32", int64: "I64" };
/** The reference implementation's limit on the header, against hostile length fields. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";

if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
  throw new Error("safetensors: this module needs a little-endian host (every mainstream JS engine is one)");
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function encodeSafetensors(tensors: StateDict, metadata: SafetensorsMetadata = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") {
      throw new SafetensorsError(`metadata '${key}' must be a string, got ${typeof value}`);
    }
  }
  if (Object.keys(metadata).length) header[METADATA_KEY] = metadata;
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === METADATA_KEY) throw new SafetensorsError(`'${METADATA_KEY}' cannot name a tensor`);
    const dtype = FILE_DTYPE[t.dtype];
    if (!dtype)
      throw new SafetensorsError(`tensor '${name}' has dtype ${String(t.dtype)}; expected float32 or int64`);
    const expectedArray = t.dtype === "float32" ? Float32Array : BigInt64Array;
    if (!(t.data instanceof expectedArray)) {
      throw new SafetensorsError(
        `tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}`,
      );
    }
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || count(t.shape) !== t.data.length) {
      throw new SafetensorsError(`tensor '${name}' has shape [${t.shape}] but ${t.data.length} values`);
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: FileDtype;
  shape: number[];
  begin: number;
  end: number;
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) {
    throw new SafetensorsError(
      `the file has ${bytes.length} bytes; it must start with an 8-byte header length`,
    );
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(bytes.length - 8, MAX_HEADER_BYTES))) {
    throw new SafetensorsError(
      `header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length field` +
        (headerLength > BigInt(MAX_HEADER_BYTES) ? ` (and the ${MAX_HEADER_BYTES}-byte limit)` : ""),
    );
  }
  const n = Number(headerLength);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError("the header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new SafetensorsError("the header must be a JSON object");
  }
  const metadata = readMetadata((header as Record<string, unknown>)[METADATA_KEY]);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => readEntry(name, value));

  const bufferLength = bytes.length - 8 - n;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) {
      throw new SafetensorsError(
        e.begin < expected
          ? `tensor '${e.name}' data [${e.begin}, ${e.end}) overlaps the previous tensor's data (ending at ${expected})`
          : `the byte buffer has a gap at [${expected}, ${e.begin}) before tensor '${e.name}'`,
      );
    }
    if (e.end > bufferLength) {
      throw new SafetensorsError(
        `tensor '${e.name}' data [${e.begin}, ${e.end}) is out of range: the byte buffer has ${bufferLength} bytes`,
      );
    }
    expected = e.end;
  }
  if (expected !== bufferLength) {
    throw new SafetensorsError(
      `the byte buffer has ${bufferLength} bytes but the tensors cover only ${expected}`,
    );
  }

  const tensors: StateDict = {};
  const base = 8 + n;
  for (const e of entries) {
    const copy = bytes.slice(base + e.begin, base + e.end).buffer;
    const data = e.dtype === "F32" ? new Float32Array(copy) : new BigInt64Array(copy);
    tensors[e.name] = { dtype: DTYPES[e.dtype].dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}

function readMetadata(value: unknown): SafetensorsMetadata {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new SafetensorsError(`'${METADATA_KEY}' must be an object of strings`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string")
      throw new SafetensorsError(`'${METADATA_KEY}.${key}' must be a string, got ${typeof v}`);
  }
  return { ...(value as SafetensorsMetadata) };
}

function readEntry(name: string, value: unknown): Entry {
  const fail = (what: string): never => {
    throw new SafetensorsError(`tensor '${name}': ${what}`);
  };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    fail("its entry must be an object");
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string") fail(`dtype must be a string, got ${JSON.stringify(dtype)}`);
  if (!(dtype === "F32" || dtype === "I64"))
    fail(`unsupported dtype ${JSON.stringify(dtype)} (this reader takes F32, I64)`);
  const isIndex = (d: unknown): d is number => typeof d === "number" && Number.isSafeInteger(d) && d >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    fail(`shape must be an array of integers >= 0, got ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every(isIndex) ||
    offsets[0]! > offsets[1]!
  ) {
    fail(`data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const size = DTYPES[dtype as FileDtype].bytes;
  const expected = count(shape as number[]) * size;
  if (end - begin !== expected) {
    fail(
      `shape [${shape}] of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype: dtype as FileDtype, shape: [...(shape as number[])], begin, end };
}
