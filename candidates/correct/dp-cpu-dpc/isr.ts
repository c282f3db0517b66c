/**
 * dp-cpu-dpc interrupt path: one drain DPC per processor instead of one DPC per channel.
 *
 * The ISR (all bookkeeping, at DIRQL under the interrupt lock) reads CHANSTS and, when halted,
 * CHANERR; records what to report; calls NetDmaIsr; marks the channel pending for the CPU NetDMA
 * returned and queues that CPU's drain DPC, whose target never changes. Each drain DPC walks the
 * engine's channels and reports every channel pending for its own processor — so each channel's
 * NetDmaInterruptDpc still runs on the CPU NetDmaIsr named — taking the report and re-arming the
 * channel inside KeSynchronizeExecution, and calling NetDmaInterruptDpc outside it.
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
  type NET_DMA_CHANNEL_HANDLE,
  type OUT,
} from '../../../src/candidate-api';
import { CTRL_RUN, greg, reg } from './engine';
import { interruptFor, type Channel, type Engine } from './ext';

export interface InterruptRoutines {
  readonly onMessage: KMESSAGE_SERVICE_ROUTINE;
  readonly onLine: KSERVICE_ROUTINE;
  /** The drain DPC; its DeferredContext is `{ engine, cpu }`. */
  readonly drain: KDEFERRED_ROUTINE;
}

export interface DrainContext {
  readonly engine: Engine;
  readonly cpu: number;
}

export function interruptRoutines(k: KernelServices): InterruptRoutines {
  const rearm = (ch: Channel) => k.WRITE_REGISTER_USHORT(reg(ch.dev.bar!, ch.index, 'CHANCTRL'), CTRL_RUN | CHANCTRL.INT_REARM);

  const serviceChannel = (ch: Channel): void => {
    const e = ch.dev;
    const bar = e.bar!;
    const sts = k.READ_REGISTER_ULONG64(reg(bar, ch.index, 'CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    const last = sts & CHANSTS_ADDRESS_MASK;
    if (state === NetDmaTransferStatusArmed || last === 0n) {
      rearm(ch); // nothing completed since allocation/reset
      return;
    }
    const err = state === NetDmaTransferStatusHalted ? k.READ_REGISTER_ULONG(reg(bar, ch.index, 'CHANERR')) : 0;
    ch.report = err !== 0 || ch.report === 0n ? 0n : last;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(ch.handle, last, cpu);
    const target = cpu.value ?? ch.cpu;
    const dpc = e.cpuDpcs[target];
    if (!dpc) {
      rearm(ch); // no such processor: nothing can report it; keep the channel's interrupts alive
      return;
    }
    ch.pendingCpu = target;
    k.KeInsertQueueDpc(dpc, null, null);
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

  const drain: KDEFERRED_ROUTINE = (_dpc, context) => {
    const { engine: e, cpu } = context as DrainContext;
    const out: { handle: NET_DMA_CHANNEL_HANDLE; report: bigint }[] = [];
    for (let i = 0; i < e.slots.length; i++) {
      const ch = e.slots[i];
      if (!ch || ch.pendingCpu !== cpu) continue;
      let report: bigint | null = null;
      const take = (): boolean => {
        if (!ch.live || e.bar === null || ch.pendingCpu !== cpu) return false;
        ch.pendingCpu = -1;
        report = ch.report;
        ch.report = null;
        rearm(ch);
        return true;
      };
      const int = interruptFor(e, i);
      if (int && k.KeSynchronizeExecution(int, take, null) && report !== null) out.push({ handle: ch.handle, report });
    }
    for (const r of out) k.NetDmaInterruptDpc(r.handle, r.report);
  };

  return { onMessage, onLine, drain };
}
