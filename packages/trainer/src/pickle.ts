/**
 * A restricted unpickler for PyTorch state dicts. It interprets the pickle opcodes that `torch.save` writes
 * (protocols 2-5) into plain values and never executes anything: a GLOBAL is looked up in a fixed table of
 * the names a state dict needs (ordered dicts, tensor rebuilds, storage types) and any other name is an
 * error that names it; REDUCE / NEWOBJ only apply those table entries. Persistent ids (torch's storage
 * references) go to the caller's `persistentLoad`.
 */

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PickleError";
  }
}

/** A global from the allowed table. */
export interface PickleGlobal {
  readonly kind: "global";
  readonly name: string;
}

/** What `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` describes. */
export interface TensorRef {
  readonly kind: "tensor";
  readonly storage: unknown;
  readonly offset: number;
  readonly size: number[];
  readonly stride: number[];
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | Map<PickleValue, PickleValue>
  | PickleGlobal
  | TensorRef
  | { readonly kind: "persistent"; readonly value: unknown };

/** A Python tuple (kept apart from lists: storage ids are tuples). */
export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** The globals a state dict may name: dict types, tensor rebuilds, storage classes. */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  "collections.OrderedDict",
  "builtins.dict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_parameter",
  "torch.FloatStorage",
  "torch.HalfStorage",
  "torch.BFloat16Storage",
  "torch.LongStorage",
  // Storage types a state dict may hold but this project does not read; named in the dtype error.
  "torch.DoubleStorage",
  "torch.IntStorage",
  "torch.ShortStorage",
  "torch.CharStorage",
  "torch.ByteStorage",
  "torch.BoolStorage",
  "torch.ComplexFloatStorage",
  "torch.ComplexDoubleStorage",
]);

const MARK = Symbol("mark");
type StackItem = PickleValue | typeof MARK;

export function unpickle(
  bytes: Uint8Array,
  persistentLoad: (id: PickleValue) => unknown,
  what = "data.pkl",
): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (message: string): never => {
    throw new PickleError(`${what}: ${message}`);
  };
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) fail(`the pickle is truncated at byte ${at} (${bytes.length} bytes)`);
    const start = at;
    at += n;
    return start;
  };
  const u8 = () => bytes[need(1)]!;
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const i32 = () => view.getInt32(need(4), true);
  const text = (n: number) => new TextDecoder().decode(bytes.subarray(need(n), at));
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) fail("the pickle is truncated inside a GLOBAL");
    const s = new TextDecoder().decode(bytes.subarray(at, end));
    at = end + 1;
    return s;
  };

  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail("the pickle's stack is empty where a value is needed");
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const m = marks.pop();
    if (m === undefined) fail("the pickle pops a mark it never set");
    return stack.splice(m!).slice(1) as PickleValue[];
  };
  const top = (): PickleValue => {
    const v = stack.at(-1);
    if (v === undefined || v === MARK) fail("the pickle's stack is empty where a value is needed");
    return v as PickleValue;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full)) {
      fail(
        `refuses the global ${full}: a state dict holds only tensors in (ordered) dicts, and this reader never runs code`,
      );
    }
    return { kind: "global", name: full };
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof Map)) fail("SETITEM(S) on something that is not a dict");
    for (let i = 0; i + 1 < items.length; i += 2)
      (target as Map<PickleValue, PickleValue>).set(items[i]!, items[i + 1]!);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: a little-endian two's-complement integer of n bytes
        const n = u8();
        const start = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[start + i]!);
        if (n > 0 && bytes[start + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: {
        // BINUNICODE8
        const n = Number(view.getBigUint64(need(8), true));
        stack.push(text(n));
        break;
      }
      case 0x54: // BINSTRING
        stack.push(text(i32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes.slice(need(u32()), at));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes.slice(need(u8()), at));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`the pickle reads memo entry ${key}, which was never stored`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PickleTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PickleTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PickleTuple([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail("APPEND to something that is not a list");
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail("APPENDS to something that is not a list");
        (list as PickleValue[]).push(...items);
        break;
      }
      case 0x64: {
        // DICT
        const d = new Map<PickleValue, PickleValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x51: // BINPERSID
        stack.push({ kind: "persistent", value: persistentLoad(pop()) });
        break;
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const callable = pop();
        stack.push(apply(callable, args, fail));
        break;
      }
      case 0x62: {
        // BUILD: a state set on an object; dicts (an OrderedDict's _metadata) keep no attributes here
        pop();
        const target = top();
        if (!(target instanceof Map)) fail("BUILD on something other than a dict");
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at - 1}`);
    }
  }
}

/** REDUCE of an allowed global: what it would build, without calling anything. */
function apply(callable: PickleValue, args: PickleValue, fail: (m: string) => never): PickleValue {
  if (!(callable && typeof callable === "object" && "kind" in callable && callable.kind === "global")) {
    return fail("REDUCE of something that is not an allowed global");
  }
  const items =
    args instanceof PickleTuple ? args.items : fail(`REDUCE of ${callable.name} without an argument tuple`);
  switch (callable.name) {
    case "collections.OrderedDict":
    case "builtins.dict":
      return new Map();
    case "torch._utils._rebuild_tensor_v2":
    case "torch._utils._rebuild_tensor": {
      const [storage, offset, size, stride] = items;
      const ints = (v: PickleValue | undefined): number[] | null =>
        v instanceof PickleTuple &&
        v.items.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0)
          ? (v.items as number[])
          : null;
      const sz = ints(size);
      const st = ints(stride);
      if (!sz || !st || sz.length !== st.length || typeof offset !== "number") {
        return fail(`${callable.name} has malformed arguments (size, stride or offset)`);
      }
      if (!(storage && typeof storage === "object" && "kind" in storage && storage.kind === "persistent")) {
        return fail(`${callable.name} is not given a storage`);
      }
      return { kind: "tensor", storage: storage.value, offset, size: sz, stride: st };
    }
    case "torch._utils._rebuild_parameter": {
      const data = items[0];
      if (!(data && typeof data === "object" && "kind" in data && data.kind === "tensor")) {
        return fail("torch._utils._rebuild_parameter is not given a tensor");
      }
      return data;
    }
    default:
      return fail(`${callable.name} cannot be called`);
  }
}
