/**
 * dp-sync-only interrupt path: the ISR does all the bookkeeping, the DPC only reports.
 *
 * At DIRQL the ISR reads CHANSTS and, when the channel halted, CHANERR; it records what the DPC is
 * to report (the last completed descriptor, or NULL after an error), tells NetDMA (NetDmaIsr),
 * targets the DPC at the CPU NetDMA returned and queues it. The DPC takes the recorded report and
 * re-arms the channel inside KeSynchronizeExecution, then calls NetDmaInterruptDpc outside it.
 */
import {
  CHANCTRL,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  type KDEFERRED_ROUTINE,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type OUT,
} from '../../../src/candidate-api';
import { CTRL_RUN, greg, reg } from './engine';
import { interruptFor, type Channel, type Engine } from './ext';

export interface InterruptRoutines {
  readonly onMessage: KMESSAGE_SERVICE_ROUTINE;
  readonly onLine: KSERVICE_ROUTINE;
  readonly deferred: KDEFERRED_ROUTINE;
}

export function interruptRoutines(k: KernelServices): InterruptRoutines {
  const rearm = (ch: Channel) => k.WRITE_REGISTER_USHORT(reg(ch.dev.bar!, ch.index, 'CHANCTRL'), CTRL_RUN | CHANCTRL.INT_REARM);

  /** Runs at DIRQL holding the interrupt spin lock (called from the ISR). */
  const serviceChannel = (ch: Channel): void => {
    const bar = ch.dev.bar!;
    const sts = k.READ_REGISTER_ULONG64(reg(bar, ch.index, 'CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    const last = sts & CHANSTS_ADDRESS_MASK;
    if (state === NetDmaTransferStatusArmed || last === 0n) {
      rearm(ch); // nothing completed since allocation/reset
      return;
    }
    const err = state === NetDmaTransferStatusHalted ? k.READ_REGISTER_ULONG(reg(bar, ch.index, 'CHANERR')) : 0;
    // An error already recorded and not yet reported stays reported as NULL.
    ch.report = err !== 0 || ch.report === 0n ? 0n : last;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(ch.handle, last, cpu);
    k.KeSetTargetProcessorDpc(ch.dpc, cpu.value ?? ch.cpu);
    k.KeInsertQueueDpc(ch.dpc, null, null);
  };

  const onMessage: KMESSAGE_SERVICE_ROUTINE = (_int, context, messageId) => {
    const e = context as Engine;
    const ch = e.bar === null ? null : e.slots[messageId] ?? null;
    if (!ch || !ch.live) return false;
    serviceChannel(ch);
    return true;
  };

  const onLine: KSERVICE_ROUTINE = (_int, context) => {
    const e = context as Engine;
    if (e.bar === null) return false;
    const attention = k.READ_REGISTER_ULONG(greg(e.bar, 'ATTNSTATUS')) >>> 0;
    if (attention === 0) return false;
    for (let i = 0; i < e.channelCount; i++) {
      const ch = e.slots[i];
      if (ch && ch.live && ((attention >>> i) & 1) === 1) serviceChannel(ch);
    }
    return true;
  };

  const deferred: KDEFERRED_ROUTINE = (_dpc, context) => {
    const ch = context as Channel;
    const e = ch.dev;
    let report: bigint | null = null;
    const take = (): boolean => {
      if (!ch.live || e.bar === null) return false;
      report = ch.report;
      ch.report = null;
      rearm(ch);
      return true;
    };
    const int = interruptFor(e, ch.index);
    if (!int || !k.KeSynchronizeExecution(int, take, null) || report === null) return;
    k.NetDmaInterruptDpc(ch.handle, report);
  };

  return { onMessage, onLine, deferred };
}
