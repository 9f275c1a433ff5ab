/**
 * A reader for the zip archives `torch.save` writes: entries stored without compression (method 0), found
 * through the end-of-central-directory record and the central directory, with zip64 sizes and offsets.
 * Every offset and length is checked against the file, so a truncated or damaged archive is an error that
 * says what is wrong, never a read past the end. Entries are views into the input (no copies).
 */

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipError";
  }
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Name -> contents of every stored entry. */
export function readStoredZip(bytes: Uint8Array, what = "the archive"): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (message: string): never => {
    throw new ZipError(`${what}: ${message}`);
  };
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : fail(truncated));
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : fail(truncated));
  const u64 = (at: number) => {
    const v = at + 8 <= bytes.length ? view.getBigUint64(at, true) : fail(truncated);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? fail(`a zip64 field (${v}) is out of range`) : Number(v);
  };
  const truncated = `the zip is truncated or damaged (${bytes.length} bytes)`;

  // The end-of-central-directory record is in the last 22 + 65535 bytes (its comment may follow it).
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail(`${truncated}: no end-of-central-directory record`);
  let count = u16(eocd + 10);
  let dirSize = u32(eocd + 12);
  let dirOffset = u32(eocd + 16);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== EOCD64_LOCATOR) fail(`${truncated}: the zip64 locator is missing`);
    const at = u64(locator + 8);
    if (u32(at) !== EOCD64) fail(`${truncated}: the zip64 end record is missing`);
    count = u64(at + 32);
    dirSize = u64(at + 40);
    dirOffset = u64(at + 48);
  }
  if (dirOffset + dirSize > bytes.length) fail(`${truncated}: the central directory lies past the end`);

  const entries = new Map<string, Uint8Array>();
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (u32(at) !== CENTRAL) fail(`${truncated}: central directory entry ${i} is damaged`);
    const method = u16(at + 10);
    let compressed = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let local = u32(at + 42);
    if (at + 46 + nameLength > bytes.length) fail(truncated);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extra field (id 1): the 0xffffffff fields, in the order size, compressed size, offset.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(extra);
      const length = u16(extra + 2);
      if (id === 1) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = u64(field);
          field += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = u64(field);
          field += 8;
        }
        if (local === 0xffffffff) local = u64(field);
      }
      extra += 4 + length;
    }
    if (method !== 0) {
      fail(
        `entry '${name}' is compressed (method ${method}); torch.save stores entries uncompressed (method 0)`,
      );
    }
    if (compressed !== size) fail(`entry '${name}' is stored with ${compressed} bytes for ${size}`);
    if (u32(local) !== LOCAL) fail(`${truncated}: the local header of '${name}' is missing`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + size > bytes.length) {
      fail(`${truncated}: entry '${name}' needs ${size} bytes at ${start}, past the end`);
    }
    entries.set(name, bytes.subarray(start, start + size));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
