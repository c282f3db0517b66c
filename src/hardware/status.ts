/**
 * Status reporting shared by the data path and the commands: completion-word writes to
 * CHANCMP and the error halt.
 *
 * @module
 */
import { completionDcaTarget } from './channel';
import type { ChannelRegs } from './channel';
import type { EngineContext } from './context';
import type { CompletionWrite } from './events';
import type { InterruptOutcome } from './interrupts';
import { completionWord, NetDmaTransferStatusHalted, type NetDmaTransferStatus } from './hw';
import { CHANCTRL } from './registers';

/** CHANCMP is usable: 64-byte aligned and 8 bytes of allocated memory. */
export function completionAddressValid(ctx: EngineContext, ch: ChannelRegs): boolean {
  return (ch.chancmp & 0x3fn) === 0n && ctx.memory.isAllocated(ch.chancmp, 8);
}

/**
 * Writes `(descriptorPa & ~0x3F) | status` to CHANCMP (the caller checked the address). The write
 * carries a DCA hint to {@link completionDcaTarget} (DCACTRL binding or last context change).
 */
export function writeCompletion(
  ctx: EngineContext,
  ch: ChannelRegs,
  descriptorPa: bigint,
  status: NetDmaTransferStatus,
): CompletionWrite {
  const word = completionWord(descriptorPa, status);
  ctx.memory.writeU64(ch.chancmp, word, 'dma');
  return { address: ch.chancmp, word, dcaTarget: completionDcaTarget(ch) };
}

/** What an error halt did besides halting. */
export interface HaltReport {
  readonly completionWrite: CompletionWrite | undefined;
  readonly interrupt: InterruptOutcome | 'none';
}

/**
 * Halts `ch` on error `bit` at descriptor `descriptorPa`: sets the CHANERR bit, state
 * halted (cause error), CHANSTS address = the faulting descriptor. Unless the bit is set in
 * CHANERR_MASK: with ERR_COMPLETION_EN the HALTED word `descriptorPa | 3` is written to
 * CHANCMP (skipped when CHANCMP itself is unusable), and with ERR_INT_EN the channel
 * interrupt is requested.
 */
export function haltOnError(ctx: EngineContext, ch: ChannelRegs, descriptorPa: bigint, bit: number): HaltReport {
  ch.chanerr = (ch.chanerr | bit) >>> 0;
  ch.state = { kind: 'halted', cause: 'error' };
  ch.statusAddress = descriptorPa;
  ch.cursor = { kind: 'none' };
  const reported = (ch.chanerrMask & bit) === 0;
  let completionWrite: CompletionWrite | undefined;
  if (reported && (ch.chanctrl & CHANCTRL.ERR_COMPLETION_EN) !== 0 && completionAddressValid(ctx, ch)) {
    completionWrite = writeCompletion(ctx, ch, descriptorPa, NetDmaTransferStatusHalted);
  }
  const interrupt = reported && (ch.chanctrl & CHANCTRL.ERR_INT_EN) !== 0 ? ctx.interrupts.request(ch, false) : 'none';
  return { completionWrite, interrupt };
}
