import {
  CHANCTRL,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  GENERAL_REGISTERS,
  NetDmaTransferStatusHalted,
  type KDEFERRED_ROUTINE,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type OUT,
} from '../candidate-api';
import type { ChannelContext, FdoExtension } from './device-extension';
import { RUN_CHANNEL_CTRL, channelRegister } from './registers';

/** The provider's interrupt routines. */
export interface Interrupts {
  readonly messageIsr: KMESSAGE_SERVICE_ROUTINE;
  readonly lineIsr: KSERVICE_ROUTINE;
  readonly dpc: KDEFERRED_ROUTINE;
}

/**
 * ISR and DPC (F12, F13, F49): the ISR reads the channel's status, tells NetDMA the last completed
 * descriptor (NetDmaIsr), targets the DPC at the CPU NetDMA returned and queues it; the DPC reports
 * the completion (or NULL after an error) with NetDmaInterruptDpc and re-arms the channel.
 */
export function createInterrupts(k: KernelServices): Interrupts {
  const service = (ch: ChannelContext): boolean => {
    const fdo = ch.fdo;
    if (fdo.regs === null) return false;
    const sts = k.READ_REGISTER_ULONG64(channelRegister(fdo.regs, ch.index, 'CHANSTS'));
    const last = sts & CHANSTS_ADDRESS_MASK;
    const halted = Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusHalted;
    const err = halted ? k.READ_REGISTER_ULONG(channelRegister(fdo.regs, ch.index, 'CHANERR')) : 0;
    ch.error = ch.error || err !== 0;
    ch.lastCompleted = last;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(ch.handle, last, cpu);
    k.KeSetTargetProcessorDpc(ch.dpc, cpu.value ?? ch.cpu);
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
    if (ch.error) {
      const chanerr = channelRegister(fdo.regs, ch.index, 'CHANERR');
      k.WRITE_REGISTER_ULONG(chanerr, k.READ_REGISTER_ULONG(chanerr));
      ch.error = false;
      k.NetDmaInterruptDpc(ch.handle, 0n);
    } else {
      k.NetDmaInterruptDpc(ch.handle, ch.lastCompleted);
    }
    k.WRITE_REGISTER_USHORT(channelRegister(fdo.regs, ch.index, 'CHANCTRL'), RUN_CHANNEL_CTRL | CHANCTRL.INT_REARM);
  };
  return { messageIsr, lineIsr, dpc };
}
