/**
 * dp-spurious-dpc interrupt path.
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
    const halted = Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusHalted;
    if (!halted && (Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusArmed || last === 0n || last === ch.reported)) {
      // No new completion (a spurious interrupt, or one whose descriptor the DPC already reported):
      // no NetDmaIsr (there is no descriptor to give it); the DPC still runs — on the CPU it was last
      // targeted at — to re-arm the channel and make a housekeeping NetDmaInterruptDpc without a
      // descriptor, which netdma.h allows "for reasons other than DMA completion".
      k.KeInsertQueueDpc(ch.dpc, null, null);
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
    // NULL after an error (F13a); the last completed descriptor when there is a new one (F41);
    // otherwise a housekeeping call with no descriptor (DmaDescriptor is _In_opt_).
    const fresh = err === 0 && state !== NetDmaTransferStatusArmed && last !== 0n && last !== ch.reported;
    if (fresh) ch.reported = last;
    k.KeReleaseSpinLockFromDpcLevel(ch.lock);
    k.NetDmaInterruptDpc(ch.handle, fresh ? last : 0n);
  };

  return { onMessage, onLine, deferred };
}
