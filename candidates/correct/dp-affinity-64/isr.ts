/**
 * dp-affinity-64 interrupt path.
 *
 * The ISR does the minimum the docs require at DIRQL: read CHANSTS once, hand the last completed
 * descriptor to NetDmaIsr, target the channel's DPC at the CPU NetDMA returned and queue it.
 * All bookkeeping — reading CHANERR, deciding between a completion and an error report, the
 * descriptor reported — is done by the DPC at DISPATCH_LEVEL from a fresh read of the hardware.
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
import type { Channel, Engine } from './ext';

export interface InterruptRoutines {
  readonly onMessage: KMESSAGE_SERVICE_ROUTINE;
  readonly onLine: KSERVICE_ROUTINE;
  readonly deferred: KDEFERRED_ROUTINE;
}

export function interruptRoutines(k: KernelServices): InterruptRoutines {
  const rearm = (ch: Channel) => k.WRITE_REGISTER_USHORT(reg(ch.dev.bar!, ch.index, 'CHANCTRL'), CTRL_RUN | CHANCTRL.INT_REARM);

  const serviceChannel = (ch: Channel): void => {
    const bar = ch.dev.bar!;
    const sts = k.READ_REGISTER_ULONG64(reg(bar, ch.index, 'CHANSTS'));
    const last = sts & CHANSTS_ADDRESS_MASK;
    if (Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusArmed || last === 0n) {
      // Nothing has completed since allocation/reset: nothing to tell NetDMA; re-arm and claim.
      rearm(ch);
      return;
    }
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
    k.KeAcquireSpinLockAtDpcLevel(ch.lock);
    if (!ch.live || e.bar === null) {
      k.KeReleaseSpinLockFromDpcLevel(ch.lock);
      return;
    }
    // Fresh look at the channel: the engine may have moved past the interrupting descriptor (F12c).
    const sts = k.READ_REGISTER_ULONG64(reg(e.bar, ch.index, 'CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    const err = state === NetDmaTransferStatusHalted ? k.READ_REGISTER_ULONG(reg(e.bar, ch.index, 'CHANERR')) : 0;
    const last = sts & CHANSTS_ADDRESS_MASK;
    rearm(ch);
    k.KeReleaseSpinLockFromDpcLevel(ch.lock);
    // Reset since the interrupt: the old descriptors are gone, nothing to report.
    if (err === 0 && (state === NetDmaTransferStatusArmed || last === 0n)) return;
    // NULL after an error (F13a); otherwise the last completed descriptor as of now (F41).
    k.NetDmaInterruptDpc(ch.handle, err !== 0 ? 0n : last);
  };

  return { onMessage, onLine, deferred };
}
