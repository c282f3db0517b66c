import {
  CHANCMD,
  CHANCTRL,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  GENERAL_REGISTERS,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  NetDmaTransferStatusIdle,
  type KDEFERRED_ROUTINE,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type OUT,
} from '../candidate-api';
import type { ChannelContext, FdoExtension } from './device-extension';
import type { SoftState } from './soft-state';
import type { Mutation } from './mutations';
import { RUN_CHANNEL_CTRL, channelRegister } from './registers';

/** The provider's interrupt routines. */
export interface Interrupts {
  readonly messageIsr: KMESSAGE_SERVICE_ROUTINE;
  readonly lineIsr: KSERVICE_ROUTINE;
  readonly dpc: KDEFERRED_ROUTINE;
  /** Switches the data-path mutations on (called by createHandlers, which gets them). */
  setMutations(bug: (x: Mutation) => boolean): void;
}

/** Software flags shared by the ISR and the channel handlers. */
export const SOFT_ERROR = 0x1;
/** Set by Append: the channel has been given work since it was started. */
export const SOFT_BUSY = 0x2;

export type { SoftState };

/** A channel's software state when it is allocated. */
export function newSoftState(): SoftState {
  return { flags: 0, previousIsr: 0n, lastSubmitted: 0n };
}

/** The shared software state of a channel (kept in its context, which dies with the channel). */
export function softState(ch: ChannelContext): SoftState {
  return ch.soft;
}

/**
 * ISR and DPC (F12, F13, F49): the ISR reads the channel's status, tells NetDMA the last completed
 * descriptor (NetDmaIsr), targets the DPC at the CPU NetDMA returned and queues it; the DPC reports
 * the completion (or NULL after an error) with NetDmaInterruptDpc and re-arms the channel.
 */
export function createInterrupts(k: KernelServices): Interrupts {
  let bug: (x: Mutation) => boolean = () => false;
  const service = (ch: ChannelContext): boolean => {
    const fdo = ch.fdo;
    if (fdo.regs === null) return false;
    const sts = k.READ_REGISTER_ULONG64(channelRegister(fdo.regs, ch.index, 'CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    // Nothing completed since allocation or reset (a stale interrupt): claim it, report nothing.
    const last = sts & CHANSTS_ADDRESS_MASK;
    if (state === NetDmaTransferStatusArmed || last === 0n) return true;
    const halted = state === NetDmaTransferStatusHalted;
    // CHANERR stays set until ResetChannel, so every interrupt while halted on an error reports it.
    const err = halted ? k.READ_REGISTER_ULONG(channelRegister(fdo.regs, ch.index, 'CHANERR')) : 0;
    const s = softState(ch);
    if (err !== 0) s.flags |= SOFT_ERROR;
    else if (!bug('dp-error-sticky')) s.flags &= ~SOFT_ERROR;
    // "Recover at once": error handling in the ISR, ahead of NetDMA's ProviderResetChannel.
    if (err !== 0 && bug('dp-isr-resets-channel')) k.WRITE_REGISTER_UCHAR(channelRegister(fdo.regs, ch.index, 'CHANCMD'), CHANCMD.RESET);
    ch.lastCompleted = last;
    const reported = bug('dp-isr-stale-descriptor') ? s.previousIsr : last;
    s.previousIsr = last;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(ch.handle, reported, cpu);
    if (!bug('dp-dpc-wrong-cpu')) k.KeSetTargetProcessorDpc(ch.dpc, cpu.value ?? ch.cpu);
    k.KeInsertQueueDpc(ch.dpc, null, null);
    return true;
  };
  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i: KINTERRUPT, context: unknown, message: number) => {
    const fdo = context as FdoExtension;
    const ch = fdo.channels[message];
    return ch ? service(ch) : false;
  };
  const lineIsr: KSERVICE_ROUTINE = (_i: KINTERRUPT, context: unknown) => {
    const fdo = context as FdoExtension;
    if (fdo.regs === null) return false;
    const attn = k.READ_REGISTER_ULONG(fdo.regs + BigInt(GENERAL_REGISTERS.ATTNSTATUS.offset));
    let mine = false;
    for (let i = 0; i < fdo.channelCount; i++) {
      const ch = fdo.channels[i];
      if (ch && (attn >>> i) & 1) mine = service(ch) || mine;
    }
    return mine;
  };
  const dpc: KDEFERRED_ROUTINE = (_d, context) => {
    const ch = context as ChannelContext;
    const fdo = ch.fdo;
    if (fdo.regs === null || fdo.channels[ch.index] !== ch) return;
    const s = softState(ch);
    if ((s.flags & SOFT_ERROR) !== 0 && !bug('dp-no-null-after-error')) {
      if (!bug('dp-error-sticky')) s.flags &= ~SOFT_ERROR;
      k.NetDmaInterruptDpc(ch.handle, 0n);
    } else if (bug('dp-dpc-null-when-idle') && Number(k.READ_REGISTER_ULONG64(channelRegister(fdo.regs, ch.index, 'CHANSTS')) & CHANSTS_STATE_MASK) === NetDmaTransferStatusIdle) {
      // "An idle channel has nothing to report": the last completion of a batch is never reported.
      k.NetDmaInterruptDpc(ch.handle, 0n);
    } else {
      k.NetDmaInterruptDpc(ch.handle, ch.lastCompleted);
    }
    if (!bug('dp-no-rearm')) k.WRITE_REGISTER_USHORT(channelRegister(fdo.regs, ch.index, 'CHANCTRL'), RUN_CHANNEL_CTRL | CHANCTRL.INT_REARM);
  };
  return {
    // MSI (fewer messages than channels): ATTNSTATUS tells the channels apart, as for the line interrupt.
    messageIsr: (i, c, message) => ((c as FdoExtension).messageTable?.MessageCount ?? 0) < (c as FdoExtension).channelCount ? lineIsr(i, c) : messageIsr(i, c, message),
    lineIsr,
    dpc,
    setMutations: (b) => {
      bug = b;
    },
  };
}
