/**
 * Simulated physical memory: a sparse set of physically contiguous allocations, each backed
 * by its own ArrayBuffer. Only allocated ranges are addressable; every access must lie
 * inside one allocation. Addresses are `bigint` physical addresses.
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
 */
export class WriteLog {
  /** When false, writes are not recorded. */
  enabled = true;
  #ranges: MemoryWriteRecord[] = [];

  /** Forgets all recorded writes. */
  resetLog(): void {
    this.#ranges = [];
  }

  /** The writes recorded since the last reset, oldest first. */
  ranges(): ReadonlyArray<MemoryWriteRecord> {
    return this.#ranges;
  }

  /** Number of writes recorded since the last reset. */
  get length(): number {
    return this.#ranges.length;
  }

  /** Recorded writes (optionally only those `by` one writer) not entirely inside one of `allowed`. */
  writesOutside(allowed: ReadonlyArray<PhysicalRange>, by?: MemoryWriter): MemoryWriteRecord[] {
    return this.#ranges.filter(
      (w) =>
        (by === undefined || w.by === by) &&
        !allowed.some((a) => w.pa >= a.pa && w.pa + BigInt(w.length) <= a.pa + BigInt(a.length)),
    );
  }

  /** @internal Appends a record (called by {@link PhysicalMemory}). */
  record(pa: bigint, length: number, by: MemoryWriter): void {
    if (this.enabled && length > 0) this.#ranges.push({ pa, length, by });
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

interface Allocation {
  readonly pa: bigint;
  /** `pa` as a number (exact while the memory is {@link PhysicalMemory#numeric}). */
  readonly paNum: number;
  readonly end: bigint;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly data: DataView;
}

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
  /** Live allocations sorted by address. */
  #allocs: Allocation[] = [];
  /**
   * Every allocation ends at or below 2^53 - 1, so lookups of addresses up to that bound can
   * use number arithmetic (exact there) instead of allocating bigints on every access.
   */
  #numeric = true;
  /** The allocation the last {@link PhysicalMemory.#find} landed on (read right after it). */
  #hit: Allocation | undefined;

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
    // The constructor rather than `subarray`: same view, without the species lookup (hot path).
    return new Uint8Array(a.bytes.buffer, off, length);
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
    const bytes = new Uint8Array(size);
    const alloc: Allocation = { pa, paNum: Number(pa), end, size, bytes, data: new DataView(bytes.buffer) };
    if (end > MAX_SAFE) this.#numeric = false;
    const i = this.#indexOf(pa) + 1;
    this.#allocs.splice(i, 0, alloc);
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
    const allocs = this.#allocs;
    if (this.#numeric && pa >= 0n && pa <= MAX_SAFE) {
      const p = Number(pa);
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
    const i = this.#indexOf(pa);
    if (i < 0) return -1;
    const a = allocs[i]!;
    this.#hit = a;
    const d = pa - a.pa;
    return d > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(d);
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
