/**
 * The per-channel register and sequencing state of the engine, and its reset values.
 *
 * This is a plain mutable record; `commands.ts` (CHANCMD and register side effects) and
 * `dma.ts` (the data path) are the only code that changes it.
 *
 * @module
 */
import { CHANNEL_STATE_CODE, CHANSTS_ADDRESS_MASK, DCACTRL } from './registers';
import type { ChannelState, ChannelStateName } from './registers';

/**
 * Chain mode, latched when a chain is started.
 * `linked` (NetDMA 1.x): started by CHANCMD START, runs until a descriptor with NextDescriptor 0.
 * `counted` (NetDMA 2.0): started by a DMACOUNT write, runs until the completed count equals DMACOUNT.
 */
export type ChainMode = 'none' | 'linked' | 'counted';

/**
 * Where the next descriptor comes from.
 * `fetch`: the address is known (CHAINADDR after a start, or the NextDescriptor value read
 * with the previous descriptor). `reread`: read the NextDescriptor field of descriptor
 * `after` from memory first (after APPEND on an idle linked chain, after RESUME, and when an
 * idle counted chain gets more work), which picks up list edits.
 */
export type ChannelCursor =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'fetch';
      readonly pa: bigint;
      /** `pa` as a number, when the data path knew it exactly (the plain-copy path's own cursor). */
      readonly paNumber?: number;
    }
  | { readonly kind: 'reread'; readonly after: bigint };

/** Mutable state of one channel. */
export interface ChannelRegs {
  readonly index: number;
  state: ChannelState;
  mode: ChainMode;
  cursor: ChannelCursor;
  /** Last descriptor completed since the latest start, if any. */
  runLast: bigint | undefined;
  /** Whether `runLast` had NET_DMA_STATUS_UPDATE_ON_COMPLETION (decides the Suspend status write). */
  runLastWantedStatus: boolean;
  /** CHANSTS bits 63:6: last completed descriptor, or the faulting one after an error halt. */
  statusAddress: bigint;
  chanctrl: number;
  chainAddr: bigint;
  /** CHAINADDR was written while the channel was stopped: the next DMACOUNT change starts a counted chain there. */
  chainAddrPending: boolean;
  chancmp: bigint;
  /** DMACOUNT as last written (u16). */
  dmaCount: number;
  /** The engine's own running count of completed descriptors (u16, wraps). */
  completedCount: number;
  /** CDAR: the descriptor most recently fetched. */
  cdar: bigint;
  chanerr: number;
  chanerrMask: number;
  /** An interrupt was requested while it could not fire; it fires on re-arm. */
  interruptPending: boolean;
  /** DCA target APIC id set by the last context-change descriptor. */
  dcaApicId: number | undefined;
  /** DCACTRL (completion-write DCA binding), see registers.ts. */
  dcactrl: number;
  /** Descriptor fetches since construction (the fault-injection ordinal of the next fetch). */
  fetchOrdinal: number;
  /**
   * A RESET is in progress: held back by a `reset-hang` fault, or latched and not yet complete
   * (`latched === 'reset'`). CHANCMD reads 0x20 and every write to the channel block is dropped.
   */
  resetPending: boolean;
  /**
   * A command latched at its CHANCMD write that takes effect later, at simulated time
   * `latchedDue` (see `commands.ts`, *Command timing*); `'none'` when nothing is latched.
   */
  latched: 'none' | 'suspend' | 'abort' | 'reset';
  /** When the latched command takes effect (interrupt time, 100-ns units). */
  latchedDue: bigint;
  /**
   * The prefetch window (see `dma.ts`, *Prefetch*): a ring of the descriptors fetched ahead of
   * the one the next step processes, each with the NextDescriptor value read at its fetch.
   * Both arrays have the engine's prefetch depth as length (allocated once; never per step).
   */
  readonly aheadPa: bigint[];
  readonly aheadNext: bigint[];
  /** Ring index of the oldest prefetched descriptor. */
  aheadHead: number;
  /** Number of prefetched descriptors (0 .. prefetch depth). */
  aheadCount: number;
  /** High half of CHANSTS latched by a read of its low half. */
  chanstsLatch: bigint | undefined;
}

/**
 * A fresh channel as after a function reset (everything zero, state armed). `prefetchDepth` sizes
 * the prefetch window (0: the engine reads each descriptor when it processes it).
 */
export function createChannelRegs(index: number, prefetchDepth = 0): ChannelRegs {
  return {
    index,
    state: { kind: 'armed' },
    mode: 'none',
    cursor: { kind: 'none' },
    runLast: undefined,
    runLastWantedStatus: false,
    statusAddress: 0n,
    chanctrl: 0,
    chainAddr: 0n,
    chainAddrPending: false,
    chancmp: 0n,
    dmaCount: 0,
    completedCount: 0,
    cdar: 0n,
    chanerr: 0,
    chanerrMask: 0,
    interruptPending: false,
    dcaApicId: undefined,
    dcactrl: 0,
    fetchOrdinal: 0,
    resetPending: false,
    latched: 'none',
    latchedDue: 0n,
    aheadPa: new Array<bigint>(prefetchDepth).fill(0n),
    aheadNext: new Array<bigint>(prefetchDepth).fill(0n),
    aheadHead: 0,
    aheadCount: 0,
    chanstsLatch: undefined,
  };
}

/**
 * Puts `ch` in the power-on state (function reset), keeping its fetch ordinal and its prefetch
 * window's storage.
 */
export function powerOnChannelRegs(ch: ChannelRegs): void {
  const { index, fetchOrdinal, aheadPa, aheadNext } = ch;
  Object.assign(ch, createChannelRegs(index), { fetchOrdinal, aheadPa, aheadNext });
}

/**
 * Puts `ch` in the just-allocated state for CHANCMD RESET: state armed, no chain mode,
 * CHAINADDR, DMACOUNT, completed count, CDAR and CHANSTS address 0, CHANERR cleared, no
 * pending interrupt, no DCA target. CHANCTRL, CHANCMP, CHANERR_MASK and DCACTRL keep their
 * values (as on I/OAT, where Linux programs them once at channel allocation). The fetch
 * ordinal is not reset; the prefetch window is emptied and nothing is latched.
 */
export function resetChannelRegs(ch: ChannelRegs): void {
  const { index, chanctrl, chancmp, chanerrMask, dcactrl, fetchOrdinal, aheadPa, aheadNext } = ch;
  Object.assign(ch, createChannelRegs(index), { chanctrl, chancmp, chanerrMask, dcactrl, fetchOrdinal, aheadPa, aheadNext });
}

/**
 * The APIC id a completion-status write's DCA hint goes to: none unless DCACTRL.CMPL_WRITE_ENABLE
 * is set; then the last context change's APIC id if one was processed since the channel was last
 * reset, else the DCACTRL binding (bits 7:0).
 */
export function completionDcaTarget(ch: ChannelRegs): number | undefined {
  if ((ch.dcactrl & DCACTRL.CMPL_WRITE_ENABLE) === 0) return undefined;
  return ch.dcaApicId ?? ch.dcactrl & DCACTRL.TARGET_CPU_MASK;
}

/** CHANSTS value: address field | state code. */
export function chanstsValue(ch: ChannelRegs): bigint {
  return (ch.statusAddress & CHANSTS_ADDRESS_MASK) | BigInt(CHANNEL_STATE_CODE[ch.state.kind]);
}

/**
 * A channel is *stopped* when it accepts a new start: armed, idle, or halted by ABORT.
 * (Suspended and active channels are running; a channel halted by an error needs RESET.)
 */
export function isStopped(ch: ChannelRegs): boolean {
  const s = ch.state;
  return s.kind === 'armed' || s.kind === 'idle' || (s.kind === 'halted' && s.cause === 'abort');
}

/** Read-only view of a channel for checks and traces. */
export interface ChannelSnapshot {
  readonly channel: number;
  readonly state: ChannelStateName;
  /** Why the channel halted, when it is halted. */
  readonly haltCause: 'abort' | 'error' | undefined;
  readonly stateCode: number;
  readonly mode: ChainMode;
  /** Full CHANSTS value. */
  readonly chansts: bigint;
  /** CHANSTS address field (last completed descriptor, or the faulting one after an error). */
  readonly lastCompletedPa: bigint;
  /** Last descriptor completed since the latest start. */
  readonly lastCompletedThisRun: bigint | undefined;
  /** CDAR: the descriptor most recently fetched (with prefetch, ahead of the last completed one). */
  readonly currentDescriptorPa: bigint;
  /** Descriptors fetched ahead and not yet processed (the prefetch window's fill). */
  readonly prefetched: number;
  /** A command latched and not yet in effect (see `commands.ts`). */
  readonly latchedCommand: 'none' | 'suspend' | 'abort' | 'reset';
  readonly chainAddr: bigint;
  readonly completionAddress: bigint;
  readonly dmaCount: number;
  readonly completedCount: number;
  readonly chanctrl: number;
  readonly chanerr: number;
  readonly chanerrMask: number;
  readonly interruptPending: boolean;
  readonly dcaApicId: number | undefined;
  /** DCACTRL: the completion-write DCA binding as the driver programmed it. */
  readonly dcaCtrl: number;
  /** Where a completion-status write's DCA hint would go now (see {@link completionDcaTarget}). */
  readonly completionDcaTarget: number | undefined;
  readonly descriptorsFetched: number;
  readonly resetPending: boolean;
}

/** Builds a {@link ChannelSnapshot}. */
export function snapshotChannel(ch: ChannelRegs): ChannelSnapshot {
  return {
    channel: ch.index,
    state: ch.state.kind,
    haltCause: ch.state.kind === 'halted' ? ch.state.cause : undefined,
    stateCode: CHANNEL_STATE_CODE[ch.state.kind],
    mode: ch.mode,
    chansts: chanstsValue(ch),
    lastCompletedPa: ch.statusAddress & CHANSTS_ADDRESS_MASK,
    lastCompletedThisRun: ch.runLast,
    currentDescriptorPa: ch.cdar,
    prefetched: ch.aheadCount,
    latchedCommand: ch.latched,
    chainAddr: ch.chainAddr,
    completionAddress: ch.chancmp,
    dmaCount: ch.dmaCount,
    completedCount: ch.completedCount,
    chanctrl: ch.chanctrl,
    chanerr: ch.chanerr,
    chanerrMask: ch.chanerrMask,
    interruptPending: ch.interruptPending,
    dcaApicId: ch.dcaApicId,
    dcaCtrl: ch.dcactrl,
    completionDcaTarget: completionDcaTarget(ch),
    descriptorsFetched: ch.fetchOrdinal,
    resetPending: ch.resetPending,
  };
}
