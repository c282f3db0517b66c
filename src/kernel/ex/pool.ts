/** One live pool allocation. */
export interface PoolBlock {
  readonly tag: number;
  readonly size: number;
  readonly poolType: number;
  /** Trace position where it was allocated. */
  readonly seq: number;
  /** Which routine allocated it (DriverEntry, AddDevice, ...). */
  readonly phase: string;
  /** Allocation number: blocks allocated after {@link Pool.mark} have a number at or above it. */
  readonly n: number;
}

/** Render a pool tag the way !poolused does ('Ndma'). Tags are little-endian four-character codes. */
export function tagName(tag: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = (tag >>> (8 * i)) & 0xff;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

/** Pool accounting with tags, for leak and double-free checks. */
export class Pool {
  readonly #live = new Map<Uint8Array, PoolBlock>();
  readonly #freed = new WeakSet<Uint8Array>();
  /** Allocation attempts so far, for fault injection ("fail the Nth allocation"). */
  attempts = 0;
  #allocated = 0;

  allocate(size: number, tag: number, poolType: number, seq: number, phase: string): Uint8Array {
    const block = new Uint8Array(size);
    this.#live.set(block, { tag, size, poolType, seq, phase, n: this.#allocated++ });
    return block;
  }

  /** A position in the allocation order, for {@link Pool.adopt}. */
  mark(): number {
    return this.#allocated;
  }

  /**
   * The system takes ownership of the newest live block allocated since `mark` that has `size`
   * bytes and the given pool type, and frees it, as the PnP manager frees the requirements list a
   * driver returns in IoStatus.Information (in C that list is the pool block itself). Returns whether
   * such a block was found.
   */
  adopt(mark: number, size: number, poolType: number): boolean {
    let found: Uint8Array | undefined;
    let newest = -1;
    for (const [block, info] of this.#live) {
      if (info.n >= mark && info.n > newest && info.size === size && info.poolType === poolType) {
        found = block;
        newest = info.n;
      }
    }
    if (found === undefined) return false;
    this.#live.delete(found);
    this.#freed.add(found);
    return true;
  }

  /** Returns 'ok', or why the free is wrong. */
  free(block: unknown, tag: number): 'ok' | 'not-pool' | 'double-free' | 'wrong-tag' {
    if (!(block instanceof Uint8Array)) return 'not-pool';
    const info = this.#live.get(block);
    if (!info) return this.#freed.has(block) ? 'double-free' : 'not-pool';
    if (info.tag !== tag) return 'wrong-tag';
    this.#live.delete(block);
    this.#freed.add(block);
    return 'ok';
  }

  /** ExFreePool: frees without a tag check; returns 'ok' or why the free is wrong. */
  freeUntagged(block: unknown): 'ok' | 'not-pool' | 'double-free' {
    if (!(block instanceof Uint8Array)) return 'not-pool';
    const info = this.#live.get(block);
    if (!info) return this.#freed.has(block) ? 'double-free' : 'not-pool';
    return this.free(block, info.tag) === 'ok' ? 'ok' : 'not-pool';
  }

  get live(): readonly PoolBlock[] {
    return [...this.#live.values()];
  }

  get liveCount(): number {
    return this.#live.size;
  }
}
