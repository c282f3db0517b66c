/**
 * The engine-timing bugs (issue 13): the reference provider running on kernel services through
 * which its register accesses carry one driver-author mistake about a real engine's timing. The
 * reference's own code is untouched (its blind-corpus patches keep applying); the mistake sits
 * where a driver's register helpers would have it.
 *
 * - `eng-reset-no-poll`: the RESET wait tests the wrong bit (it reads CHANCMD and believes the
 *   command done at once), so every channel is programmed while its RESET is still in progress.
 * - `eng-append-skips-when-active`: the 1.x doorbell skips CHANCMD APPEND while CHANSTS says
 *   ACTIVE ("a running engine has not reached the old tail yet"), which an engine that has
 *   already fetched the old tail (prefetch) never re-reads.
 *
 * @module
 */
import {
  CHANCMD,
  CHANNEL_REGISTERS,
  CHANSTS_STATE_MASK,
  NetDmaTransferStatusActive,
  REGISTER_BLOCK_SIZE,
  type KernelServices,
  type PVOID_REGISTER,
} from '../../src/candidate-api';
import type { Mutation } from '../../src/reference/mutations';

/** The engine-timing mutations, switched on by {@link engineTimingServices}. */
export const ENGINE_TIMING_MUTATIONS: ReadonlySet<Mutation> = new Set<Mutation>(['eng-reset-no-poll', 'eng-append-skips-when-active']);

/**
 * `k` with the register helpers of a driver that has the engine-timing bugs in `set`: BAR0
 * mappings are remembered so that a channel's CHANCMD is recognised by its offset.
 */
export function engineTimingServices(k: KernelServices, set: ReadonlySet<Mutation>): KernelServices {
  const bars: Array<{ base: bigint; length: number }> = [];
  /** The channel whose CHANCMD `va` is, or -1. */
  const chancmdChannel = (va: PVOID_REGISTER): number => {
    for (const b of bars) {
      const off = Number(va - b.base);
      if (off < REGISTER_BLOCK_SIZE || off >= b.length) continue;
      if (off % REGISTER_BLOCK_SIZE === CHANNEL_REGISTERS.CHANCMD.offset) return Math.floor(off / REGISTER_BLOCK_SIZE) - 1;
    }
    return -1;
  };
  return {
    ...k,
    MmMapIoSpace: (pa, length, cache) => {
      const va = k.MmMapIoSpace(pa, length, cache);
      if (va !== null) bars.push({ base: va, length });
      return va;
    },
    MmUnmapIoSpace: (va, length) => {
      const i = bars.findIndex((b) => b.base === va);
      if (i >= 0) bars.splice(i, 1);
      k.MmUnmapIoSpace(va, length);
    },
    READ_REGISTER_UCHAR: (va) => {
      const v = k.READ_REGISTER_UCHAR(va);
      // "RESET is done once written": the wait loop never sees the bit.
      return set.has('eng-reset-no-poll') && chancmdChannel(va) >= 0 ? v & ~CHANCMD.RESET : v;
    },
    WRITE_REGISTER_UCHAR: (va, value) => {
      if (set.has('eng-append-skips-when-active') && value === CHANCMD.APPEND && chancmdChannel(va) >= 0) {
        const chansts = va - BigInt(CHANNEL_REGISTERS.CHANCMD.offset) + BigInt(CHANNEL_REGISTERS.CHANSTS.offset);
        if (Number(k.READ_REGISTER_ULONG64(chansts) & CHANSTS_STATE_MASK) === NetDmaTransferStatusActive) return;
      }
      k.WRITE_REGISTER_UCHAR(va, value);
    },
  };
}
