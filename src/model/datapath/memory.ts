/**
 * The model's own physical memory: an immutable map from allocation base address to bytes.
 * Writes copy the touched allocation (copy-on-write), so every intermediate memory the
 * model reports is a cheap, independent snapshot. Written independently of
 * `src/hardware/memory.ts`, which it checks.
 *
 * @module
 */

/** Allocation base physical address → contents. Treat the arrays as read-only. */
export type ModelMemory = ReadonlyMap<bigint, Uint8Array>;

/** Where a physical range lives: the allocation base, its bytes and the offset in them. */
interface Place {
  readonly base: bigint;
  readonly bytes: Uint8Array;
  readonly offset: number;
}

function place(mem: ModelMemory, pa: bigint, length: number): Place | undefined {
  for (const [base, bytes] of mem) {
    const end = base + BigInt(bytes.length);
    if (pa >= base && pa < end && pa + BigInt(length) <= end) return { base, bytes, offset: Number(pa - base) };
  }
  return undefined;
}

/** True when `[pa, pa + length)` (length > 0) lies inside one allocation. */
export function modelContains(mem: ModelMemory, pa: bigint, length: number): boolean {
  return length > 0 && place(mem, pa, length) !== undefined;
}

/** A copy of `length` bytes at `pa`; throws outside allocations. */
export function modelRead(mem: ModelMemory, pa: bigint, length: number): Uint8Array {
  const p = place(mem, pa, length);
  if (p === undefined) throw new RangeError(`model read outside memory at 0x${pa.toString(16)}+${length}`);
  return p.bytes.slice(p.offset, p.offset + length);
}

/** Little-endian u64 at `pa`. */
export function modelReadU64(mem: ModelMemory, pa: bigint): bigint {
  const b = modelRead(mem, pa, 8);
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** Little-endian u32 at `pa`. */
export function modelReadU32(mem: ModelMemory, pa: bigint): number {
  const b = modelRead(mem, pa, 4);
  return new DataView(b.buffer).getUint32(0, true);
}

/** A new memory with `bytes` stored at `pa`; throws outside allocations. */
export function modelWrite(mem: ModelMemory, pa: bigint, bytes: Uint8Array): ModelMemory {
  const p = place(mem, pa, bytes.length);
  if (p === undefined) throw new RangeError(`model write outside memory at 0x${pa.toString(16)}+${bytes.length}`);
  const copy = p.bytes.slice();
  copy.set(bytes, p.offset);
  const next = new Map(mem);
  next.set(p.base, copy);
  return next;
}

/** A new memory with the little-endian u64 `value` at `pa`. */
export function modelWriteU64(mem: ModelMemory, pa: bigint, value: bigint): ModelMemory {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return modelWrite(mem, pa, b);
}

/** Builds a model memory from `(base, contents)` pairs (contents are copied). */
export function modelMemoryOf(entries: Iterable<readonly [bigint, Uint8Array]>): ModelMemory {
  const m = new Map<bigint, Uint8Array>();
  for (const [base, bytes] of entries) m.set(base, bytes.slice());
  return m;
}
