/**
 * Interrupt generation: INTRCTRL master enable, per-channel INT_REARM arming, ATTNSTATUS,
 * and one MSI-X message per channel.
 *
 * An interrupt request (a descriptor with NET_DMA_INTERRUPT_ON_COMPLETION, or an error halt
 * with ERR_INT_EN) *fires* when INTRCTRL.MASTER_INT_EN and the channel's CHANCTRL.INT_REARM
 * are both set: INT_REARM is cleared, the channel's ATTNSTATUS bit is set and
 * `raiseInterrupt(channel)` is called synchronously. Otherwise the request stays *pending*
 * (one flag per channel; several requests merge) and fires as soon as the driver re-arms
 * (writes CHANCTRL with INT_REARM) or sets MASTER_INT_EN.
 *
 * @module
 */
import type { ChannelRegs } from './channel';
import { CHANCTRL, INTRCTRL } from './registers';

/** What became of an interrupt request. */
export type InterruptOutcome = 'raised' | 'pending' | 'lost' | 'dropped';

/** The engine's interrupt logic. */
export class InterruptUnit {
  /** INTRCTRL as written (MASTER_INT_EN, INT, MSIX_VECTOR_CONTROL). */
  intrctrl = 0;
  /** ATTNSTATUS: one bit per channel that raised an interrupt since the last read. */
  attnStatus = 0;
  readonly #raise: (channel: number) => void;

  constructor(raise: (channel: number) => void) {
    this.#raise = raise;
  }

  /** INTRCTRL.MASTER_INT_EN. */
  get masterEnabled(): boolean {
    return (this.intrctrl & INTRCTRL.MASTER_INT_EN) !== 0;
  }

  /**
   * Requests the interrupt of `ch`. With `lost`, a firing interrupt updates INT_REARM and
   * ATTNSTATUS but the message is not delivered (`lost`), and one that cannot fire is
   * `dropped` instead of left pending.
   */
  request(ch: ChannelRegs, lost: boolean): InterruptOutcome {
    if (this.#canFire(ch)) return this.#fire(ch, lost);
    if (lost) return 'dropped';
    ch.interruptPending = true;
    return 'pending';
  }

  /** Fires `ch`'s pending interrupt if it can now fire (after CHANCTRL or INTRCTRL writes). */
  firePending(ch: ChannelRegs): boolean {
    if (!ch.interruptPending || !this.#canFire(ch)) return false;
    this.#fire(ch, false);
    return true;
  }

  /** Reads ATTNSTATUS and clears it. */
  readAttention(): number {
    const v = this.attnStatus;
    this.attnStatus = 0;
    return v;
  }

  /** Function reset: INTRCTRL and ATTNSTATUS to 0. */
  reset(): void {
    this.intrctrl = 0;
    this.attnStatus = 0;
  }

  #canFire(ch: ChannelRegs): boolean {
    return this.masterEnabled && (ch.chanctrl & CHANCTRL.INT_REARM) !== 0;
  }

  #fire(ch: ChannelRegs, lost: boolean): InterruptOutcome {
    ch.chanctrl &= ~CHANCTRL.INT_REARM;
    ch.interruptPending = false;
    this.attnStatus = (this.attnStatus | (1 << ch.index)) >>> 0;
    if (lost) return 'lost';
    this.#raise(ch.index);
    return 'raised';
  }
}
