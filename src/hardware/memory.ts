/**
 * Simulated physical memory: a sparse set of physically contiguous allocations, each backed
 * by its own ArrayBuffer. Only allocated ranges are addressable; every access must lie
 * inside one allocation. Addresses are `bigint` physical addresses.
 *
 * Why this file is over 400 lines: the allocation map, the typed accessors and the DMA write log
 * share the chunk layout the engine's fast path depends on (see the README's Performance
 * section); split apart, each piece would have to expose that layout.
 *
 * @module
 */

/** Thrown on an access to unallocated memory, an access crossing allocations, or a bad free. */
export class PhysicalMemoryError extends Error {
  override readonly name = 'PhysicalMemoryError';
}

/** Who wrote a range: the copy engine (`dma`) or a processor (`cpu`). */
export type MemoryWriter = 'dma' | 'cpu';

/** One logged write. */
export interface MemoryWriteRecord {
  readonly pa: bigint;
  readonly length: number;
  readonly by: MemoryWriter;
}

/** A physical range. */
export interface PhysicalRange {
  readonly pa: bigint;
  readonly length: number;
}

/**
 * Log of every write (DMA and CPU) since the last {@link WriteLog.resetLog}, in order.
 * Used by the "nothing was written anywhere else" oracle. Logging can be switched off
 * with {@link WriteLog.enabled} for long runs.
 *
 * The engine logs two writes per descriptor, so records are kept as numbers in one growing
 * Float64Array (no object and no bigint per write); {@link WriteLog.ranges} builds the record
 * objects on demand and keeps them until the next write.
 */
export class WriteLog {
  /** When false, writes are not recorded. */
  enabled = true;
  /**
   * Three numbers per write: the address (NaN when it is above 2^53 - 1, see `#bigPa`), the
   * length, and the writer (0 cpu, 1 dma). The buffer keeps its capacity across resets.
   */
  #data = new Float64Array(3 * 256);
  #count = 0;
  /** Addresses that are not exact as numbers, by record index. */
  #bigPa = new Map<number, bigint>();
  #records: MemoryWriteRecord[] | undefined;

  /** Writes recorded before the last {@link resetLog}, over the log's whole life. */
  #base = 0;

  /** Forgets all recorded writes. */
  resetLog(): void {
    this.#base += this.#count;
    this.#count = 0;
    this.#bigPa.clear();
    this.#records = undefined;
  }

  /** The writes recorded since the last reset, oldest first. */
  ranges(): ReadonlyArray<MemoryWriteRecord> {
    if (this.#records === undefined) {
      const n = this.#count;
      const d = this.#data;
      const out: MemoryWriteRecord[] = new Array<MemoryWriteRecord>(n);
      for (let i = 0; i < n; i++) {
        const p = d[3 * i]!;
        out[i] = { pa: Number.isNaN(p) ? this.#bigPa.get(i)! : BigInt(p), length: d[3 * i + 1]!, by: d[3 * i + 2] === 1 ? 'dma' : 'cpu' };
      }
      this.#records = out;
    }
    return this.#records;
  }

  /** Number of writes recorded since the last reset. */
  get length(): number {
    return this.#count;
  }

  /**
   * Writes recorded over the log's whole life (resets do not lower it): record `i` of
   * {@link ranges} is write number `total - length + i`, so a caller can tell which writes came
   * between two moments it noted.
   */
  get total(): number {
    return this.#base + this.#count;
  }

  /** Recorded writes (optionally only those `by` one writer) not entirely inside one of `allowed`. */
  writesOutside(allowed: ReadonlyArray<PhysicalRange>, by?: MemoryWriter): MemoryWriteRecord[] {
    return this.ranges().filter(
      (w) =>
        (by === undefined || w.by === by) &&
        !allowed.some((a) => w.pa >= a.pa && w.pa + BigInt(w.length) <= a.pa + BigInt(a.length)),
    );
  }

  /** @internal Appends a record (called by {@link PhysicalMemory}). */
  record(pa: bigint, length: number, by: MemoryWriter): void {
    if (!this.enabled || length <= 0) return;
    if (pa >= 0n && pa <= MAX_SAFE) {
      this.recordNumeric(Number(pa), length, by === 'dma' ? 1 : 0);
      return;
    }
    this.#bigPa.set(this.#count, pa);
    this.recordNumeric(Number.NaN, length, by === 'dma' ? 1 : 0);
  }

  /** @internal Appends a record whose address `p` is exact as a number (`by`: 0 cpu, 1 dma); the engine's fast path. */
  recordNumeric(p: number, length: number, by: 0 | 1): void {
    if (!this.enabled || length <= 0) return;
    let d = this.#data;
    const at = 3 * this.#count;
    if (at + 3 > d.length) {
      const grown = new Float64Array(d.length * 2);
      grown.set(d);
      this.#data = d = grown;
    }
    d[at] = p;
    d[at + 1] = length;
    d[at + 2] = by;
    this.#count++;
    if (this.#records !== undefined) this.#records = undefined;
  }
}

/** Options of {@link PhysicalMemory}. */
export interface PhysicalMemoryOptions {
  /** Allocation granule and default alignment (default 4096). */
  readonly pageSize?: number;
  /** First allocatable physical address (default `0x1000_0000n`). */
  readonly base?: bigint;
  /**
   * Unallocated bytes left after each {@link PhysicalMemory.allocateContiguous} allocation
   * (default one page), so that two allocations are never adjacent and an overrun always
   * hits unallocated memory.
   */
  readonly guardBytes?: number;
}

/**
 * @internal One allocation as the engine's fast path sees it (see
 * {@link PhysicalMemory.numericBlock}): its start as a number, size, and its backing bytes.
 */
export interface MemoryBlock {
  /** Start address as a number (exact: only handed out while every allocation ends at or below 2^53 - 1). */
  readonly paNum: number;
  readonly size: number;
  /** The allocation's bytes: a view of `size` bytes at `base` in `chunk`. */
  readonly bytes: Uint8Array;
  /** A DataView of the same bytes (offset 0 = the allocation's first byte). */
  readonly data: DataView;
  /**
   * The backing chunk the allocation was carved from: allocations made one after another share
   * a chunk, so a copy between two of them is one `copyWithin` (no view object per copy).
   */
  readonly chunk: Uint8Array;
  /** Offset of the allocation's first byte in `chunk`. */
  readonly base: number;
}

interface Allocation extends MemoryBlock {
  readonly pa: bigint;
  readonly end: bigint;
}

/** Start of the memory below 4 GiB that {@link PhysicalMemory.allocateContiguousBelow} falls back to. */
const LOW_REGION_BASE = 0x1000_0000n;

/** How many recently hit allocations {@link PhysicalMemory} checks before its binary search. */
const RECENT = 4;
/** Size of the first backing chunk; each further chunk doubles it, up to {@link MAX_CHUNK}. */
const FIRST_CHUNK = 16 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;
/** Allocations start on cache-line boundaries inside a chunk. */
const CHUNK_ALIGN = 64;

/**
 * Sparse simulated physical memory.
 *
 * `allocateContiguous` is a bump allocator: freed addresses are never handed out again, so
 * a stale physical address always faults instead of aliasing a newer allocation. All
 * results are deterministic.
 */
export class PhysicalMemory {
  /** Allocation granule and default alignment. */
  readonly pageSize: number;
  /** First address `allocateContiguous` may return. */
  readonly base: bigint;
  /** Every write since the last `writeLog.resetLog()`. */
  readonly writeLog = new WriteLog();
  readonly #guard: bigint;
  #next: bigint;
  /**
   * The next address of the region below 4 GiB, used when {@link PhysicalMemory.base} is above
   * 4 GiB and an allocation must end at or below a highest acceptable address under the base.
   */
  #nextLow: bigint = LOW_REGION_BASE;
  /** Live allocations sorted by address. */
  #allocs: Allocation[] = [];
  /**
   * Every allocation ends at or below 2^53 - 1, so lookups of addresses up to that bound can
   * use number arithmetic (exact there) instead of allocating bigints on every access.
   */
  #numeric = true;
  /** The allocation the last {@link PhysicalMemory.#find} landed on (read right after it). */
  #hit: Allocation | undefined;
  /**
   * The last few allocations a numeric lookup landed inside, checked before the binary search:
   * a descriptor step touches the ring, the source, the destination and the completion word.
   */
  #recent: Allocation[] = [];
  #recentNext = 0;
  /** The chunk new allocations are carved from, its used bytes, and the size of the next chunk. */
  #chunk: Uint8Array | undefined;
  #chunkUsed = 0;
  #nextChunk = FIRST_CHUNK;

  constructor(options: PhysicalMemoryOptions = {}) {
    this.pageSize = options.pageSize ?? 4096;
    if (!isPowerOfTwo(this.pageSize)) throw new PhysicalMemoryError(`pageSize ${this.pageSize} is not a power of 2`);
    this.base = options.base ?? 0x1000_0000n;
    this.#guard = BigInt(options.guardBytes ?? this.pageSize);
    this.#next = this.base;
  }

  /**
   * Allocates a physically contiguous, zeroed range of `size` bytes aligned to `alignment`
   * (a power of 2, default 4096) and returns its physical address.
   */
  allocateContiguous(size: number, alignment = 4096): bigint {
    if (!isPowerOfTwo(alignment)) throw new PhysicalMemoryError(`alignment ${alignment} is not a power of 2`);
    checkSize(size);
    const a = BigInt(alignment);
    const pa = (this.#next + a - 1n) & ~(a - 1n);
    this.#insert(pa, size);
    const page = BigInt(this.pageSize);
    this.#next = (pa + BigInt(size) + this.#guard + page - 1n) & ~(page - 1n);
    return pa;
  }

  /**
   * MmAllocateContiguousMemory's placement: as {@link PhysicalMemory.allocateContiguous}, but the
   * whole range must end at or below `highest` (HighestAcceptableAddress). When the next address
   * of the main region does not fit and the main region starts above 4 GiB, the range comes from
   * the memory below 4 GiB (from `0x1000_0000` up to the base); `null` when nothing fits.
   */
  allocateContiguousBelow(size: number, alignment: number, highest: bigint): bigint | null {
    if (!isPowerOfTwo(alignment)) throw new PhysicalMemoryError(`alignment ${alignment} is not a power of 2`);
    checkSize(size);
    const a = BigInt(alignment);
    const page = BigInt(this.pageSize);
    const pa = (this.#next + a - 1n) & ~(a - 1n);
    if (pa + BigInt(size) - 1n <= highest) return this.allocateContiguous(size, alignment);
    if (this.base <= LOW_REGION_BASE) return null;
    const low = (this.#nextLow + a - 1n) & ~(a - 1n);
    const end = low + BigInt(size);
    if (end - 1n > highest || end + this.#guard > this.base) return null;
    this.#insert(low, size);
    this.#nextLow = (end + this.#guard + page - 1n) & ~(page - 1n);
    return low;
  }

  /** Allocates `size` zeroed bytes at exactly `pa`; throws if that overlaps a live allocation. */
  allocateAt(pa: bigint, size: number): bigint {
    checkSize(size);
    if (pa < 0n) throw new PhysicalMemoryError(`negative physical address ${pa}`);
    this.#insert(pa, size);
    return pa;
  }

  /** Frees the allocation that starts at `pa`; throws {@link PhysicalMemoryError} otherwise. */
  free(pa: bigint): void {
    const i = this.#indexOf(pa);
    if (i < 0 || this.#allocs[i]!.pa !== pa) throw new PhysicalMemoryError(`free(${hex(pa)}): not the start of an allocation`);
    this.#allocs.splice(i, 1);
    this.#recent = [];
    this.#recentNext = 0;
  }

  /**
   * True when `[pa, pa + length)` lies inside one live allocation. For `length` 0, true when
   * `pa` lies inside an allocation or at its end.
   */
  isAllocated(pa: bigint, length: number): boolean {
    if (length < 0 || !Number.isInteger(length)) return false;
    const off = this.#find(pa);
    if (off < 0) return false;
    const size = this.#hit!.size;
    return length === 0 ? off <= size : off + length <= size;
  }

  /**
   * When `isAllocated(pa, length)` holds (for `length` > 0): the allocation's DataView and the
   * offset of `pa` in it (zero-copy, writes through it are not logged); else `undefined`. One
   * lookup and no new view object on the engine's descriptor fetch.
   */
  dataViewIfAllocated(pa: bigint, length: number): { readonly data: DataView; readonly offset: number } | undefined {
    if (length <= 0 || !Number.isInteger(length)) return undefined;
    const off = this.#find(pa);
    if (off < 0) return undefined;
    const a = this.#hit!;
    if (off + length > a.size) return undefined;
    return { data: a.data, offset: off };
  }

  /**
   * @internal The engine's fast path: the allocation holding `[p, p + length)` for a number
   * address `p` and `length` > 0, or `undefined` when there is none — or when addresses are not
   * all exact as numbers (an allocation ends above 2^53 - 1), in which case the caller must use
   * the bigint methods. No bigint and no object is allocated. Writes through the block's bytes
   * are not logged: the caller logs them with {@link WriteLog.recordNumeric}.
   */
  numericBlock(p: number, length: number): MemoryBlock | undefined {
    if (!this.#numeric) return undefined;
    const recent = this.#recent;
    for (let i = 0; i < recent.length; i++) {
      const a = recent[i]!;
      const off = p - a.paNum;
      if (off >= 0 && off + length <= a.size && length > 0) return a;
    }
    if (!(p >= 0 && p <= Number.MAX_SAFE_INTEGER) || !(length > 0)) return undefined;
    const off = this.#findNumber(p);
    if (off < 0) return undefined;
    const a = this.#hit!;
    if (off + length > a.size) return undefined;
    recent[this.#recentNext] = a;
    this.#recentNext = (this.#recentNext + 1) % RECENT;
    return a;
  }

  /** True when every allocation ends at or below 2^53 - 1 (number addresses are exact). */
  get numeric(): boolean {
    return this.#numeric;
  }

  /** The live allocations, sorted by address. */
  allocations(): ReadonlyArray<PhysicalRange> {
    return this.#allocs.map((a) => ({ pa: a.pa, length: a.size }));
  }

  /** A copy of `length` bytes at `pa`. */
  read(pa: bigint, length: number): Uint8Array {
    return this.view(pa, length).slice();
  }

  /**
   * A zero-copy view of `length` bytes at `pa`. Writes through the view are not logged.
   * Throws {@link PhysicalMemoryError} if the range is not inside one allocation.
   */
  view(pa: bigint, length: number): Uint8Array {
    const off = this.#locate(pa, length);
    const a = this.#hit!;
    return a.bytes.subarray(off, off + length);
  }

  /**
   * Copies `bytes` to `pa` with one typed-array `set` (correct even when `bytes` is a view of
   * overlapping simulated memory) and logs the write as done `by` the CPU (default) or DMA.
   */
  write(pa: bigint, bytes: Uint8Array, by: MemoryWriter = 'cpu'): void {
    const off = this.#locate(pa, bytes.length);
    const a = this.#hit!;
    a.bytes.set(bytes, off);
    this.writeLog.record(pa, bytes.length, by);
  }

  /** Fills `length` bytes at `pa` with `value` (logged). */
  fill(pa: bigint, length: number, value: number, by: MemoryWriter = 'cpu'): void {
    const off = this.#locate(pa, length);
    const a = this.#hit!;
    a.bytes.fill(value, off, off + length);
    this.writeLog.record(pa, length, by);
  }

  /** Reads a little-endian u32. */
  readU32(pa: bigint): number {
    const off = this.#locate(pa, 4);
    const a = this.#hit!;
    return a.data.getUint32(off, true);
  }

  /** Writes a little-endian u32 (logged). */
  writeU32(pa: bigint, value: number, by: MemoryWriter = 'cpu'): void {
    const off = this.#locate(pa, 4);
    const a = this.#hit!;
    a.data.setUint32(off, value >>> 0, true);
    this.writeLog.record(pa, 4, by);
  }

  /** Reads a little-endian u64. */
  readU64(pa: bigint): bigint {
    const off = this.#locate(pa, 8);
    const a = this.#hit!;
    return a.data.getBigUint64(off, true);
  }

  /** Writes a little-endian u64 (logged). */
  writeU64(pa: bigint, value: bigint, by: MemoryWriter = 'cpu'): void {
    const off = this.#locate(pa, 8);
    const a = this.#hit!;
    a.data.setBigUint64(off, BigInt.asUintN(64, value), true);
    this.writeLog.record(pa, 8, by);
  }

  #insert(pa: bigint, size: number): void {
    const end = pa + BigInt(size);
    const clash = this.#allocs.find((a) => pa < a.end && end > a.pa);
    if (clash !== undefined) {
      throw new PhysicalMemoryError(`[${hex(pa)}, ${hex(end)}) overlaps the allocation at ${hex(clash.pa)}`);
    }
    const { chunk, base } = this.#carve(size);
    const bytes = chunk.subarray(base, base + size);
    const alloc: Allocation = { pa, paNum: Number(pa), end, size, bytes, data: new DataView(chunk.buffer, base, size), chunk, base };
    if (end > MAX_SAFE) this.#numeric = false;
    const i = this.#indexOf(pa) + 1;
    this.#allocs.splice(i, 0, alloc);
  }

  /**
   * Backing store for `size` new bytes: the rest of the current chunk, or a new zeroed chunk
   * (at least `size`; twice `size` and at least double the previous chunk while that stays
   * within {@link MAX_CHUNK}). Chunk bytes are never handed out twice
   * (freed addresses are never reused either), so new allocations read as zero.
   */
  #carve(size: number): { readonly chunk: Uint8Array; readonly base: number } {
    let chunk = this.#chunk;
    let base = Math.ceil(this.#chunkUsed / CHUNK_ALIGN) * CHUNK_ALIGN;
    if (chunk === undefined || base + size > chunk.length) {
      // Room for at least one more allocation of the same size (up to MAX_CHUNK), so that a
      // source and a destination allocated one after the other share a chunk.
      chunk = new Uint8Array(Math.max(size, Math.min(MAX_CHUNK, Math.max(this.#nextChunk, 2 * size))));
      this.#nextChunk = Math.min(MAX_CHUNK, this.#nextChunk * 2);
      this.#chunk = chunk;
      base = 0;
    }
    this.#chunkUsed = base + size;
    return { chunk, base };
  }

  /** Index of the last allocation starting at or below `pa`, or -1. */
  #indexOf(pa: bigint): number {
    let lo = 0;
    let hi = this.#allocs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.#allocs[mid]!.pa <= pa) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Finds the last allocation starting at or below `pa` (left in `#hit`) and returns the
   * offset of `pa` from its start (beyond its size when `pa` lies past its end), or -1 when
   * there is none. No bigint is allocated for addresses up to 2^53 - 1.
   */
  #find(pa: bigint): number {
    if (this.#numeric && pa >= 0n && pa <= MAX_SAFE) return this.#findNumber(Number(pa));
    const allocs = this.#allocs;
    const i = this.#indexOf(pa);
    if (i < 0) return -1;
    const a = allocs[i]!;
    this.#hit = a;
    const d = pa - a.pa;
    return d > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(d);
  }

  /** {@link PhysicalMemory.#find} for a number address (the memory is numeric and `p` is a safe integer). */
  #findNumber(p: number): number {
    const allocs = this.#allocs;
    let lo = 0;
    let hi = allocs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (allocs[mid]!.paNum <= p) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return -1;
    const a = allocs[found]!;
    this.#hit = a;
    return p - a.paNum;
  }

  /** Offset of `pa` in the allocation holding `[pa, pa + length)`, left in `#hit`; throws otherwise. */
  #locate(pa: bigint, length: number): number {
    if (Number.isInteger(length)) {
      const off = this.#find(pa);
      if (off >= 0 && length >= 0 && off < this.#hit!.size && off + length <= this.#hit!.size) return off;
      throw new PhysicalMemoryError(`[${hex(pa)}, +${length}) is not inside one allocation`);
    }
    // A non-integer length: the original bigint arithmetic (and its RangeError).
    const i = this.#indexOf(pa);
    const a = i < 0 ? undefined : this.#allocs[i];
    if (a === undefined || pa >= a.end || pa + BigInt(length) > a.end || length < 0) {
      throw new PhysicalMemoryError(`[${hex(pa)}, +${length}) is not inside one allocation`);
    }
    this.#hit = a;
    return Number(pa - a.pa);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size <= 0 || size > 0x4000_0000) {
    throw new PhysicalMemoryError(`allocation size ${size} must be an integer in 1..1 GiB`);
  }
}

/** Formats a physical address as `0x...` hex. */
export function hex(pa: bigint | number): string {
  return `0x${pa.toString(16)}`;
}
