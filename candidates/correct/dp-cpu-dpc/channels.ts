/**
 * dp-cpu-dpc provider handlers. Lock-free in the executive sense: each handler's register work
 * and every change to shared state runs inside KeSynchronizeExecution on the channel's interrupt
 * object, which serialises it with that channel's ISR (and, through the same routine in the DPC,
 * with the DPC's re-arm). The slot table is claimed and released the same way.
 */
import {
  CHANCMD,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  NET_DMA_CHANNEL_CPU_AFFINITY_SIZE,
  NetDmaTransferStatusActive,
  NonPagedPoolNx,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type DMA_ABORT_HANDLER,
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_RESET_HANDLER,
  type DMA_RESUME_HANDLER,
  type DMA_START_HANDLER,
  type DMA_SUSPEND_HANDLER,
  type KernelServices,
  type NTSTATUS,
  type PHYSICAL_ADDRESS,
  type OUT,
} from '../../../src/candidate-api';
import { command, hwReset, program, reg, write64 } from './engine';
import { TAG, interruptFor, type Channel, type Engine } from './ext';

export function providerHandlers(k: KernelServices) {
  const counted = (ch: Channel) => ch.dev.version >= 0x200;

  /** Runs `body` synchronised with the channel's ISR; fails when the engine is gone. */
  const synced = (ch: Channel, body: (bar: bigint) => NTSTATUS): NTSTATUS => {
    const e = ch.dev;
    let st: NTSTATUS = STATUS_UNSUCCESSFUL;
    const run = (): boolean => {
      if (e.bar === null || !ch.live) return false;
      st = body(e.bar);
      return true;
    };
    const int = e.bar === null ? null : interruptFor(e, ch.index);
    if (!int) return STATUS_UNSUCCESSFUL;
    k.KeSynchronizeExecution(int, run, null);
    return st;
  };

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (context, array, bytes) => {
    const e = context as Engine;
    const n = Math.min(Math.floor(bytes / NET_DMA_CHANNEL_CPU_AFFINITY_SIZE), array.length);
    const table: number[] = [];
    for (let i = 0; i < n; i++) table[array[i]!.DmaChannel] = array[i]!.CpuNumber;
    e.affinity = table;
    return STATUS_SUCCESS;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, handle, out) => {
    const e = context as Engine;
    if (e.bar === null) return STATUS_UNSUCCESSFUL;
    const mask = params.ProcessorAffinityMask >>> 0;
    const allowed = (cpu: number) => cpu < 32 && ((mask >>> cpu) & 1) === 1;
    const pool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 96, TAG);
    if (!pool) return STATUS_INSUFFICIENT_RESOURCES;
    // Two passes over the channels in index order: interrupt CPU in the mask first, then any.
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < e.channelCount; i++) {
        const irqCpu = e.messageCpu[i] ?? 0;
        if (pass === 0 && !allowed(irqCpu)) continue;
        if (e.slots[i] !== null) continue;
        // Not in the mask: the DPC goes to the highest CPU of the mask.
        const cpu = allowed(irqCpu) ? irqCpu : mask !== 0 ? 31 - Math.clz32(mask) : irqCpu;
        const ch: Channel = { dev: e, index: i, handle, cpu, completionPa: params.CompletionPhysicalAddress, pool, count: 0, live: true, report: null, pendingCpu: -1 };
        let ok = false;
        const claim = (): boolean => {
          if (e.bar === null || e.slots[i] !== null) return false;
          if (!hwReset(k, e.bar, i)) return false;
          e.slots[i] = ch;
          program(k, ch);
          ok = true;
          return true;
        };
        const int = interruptFor(e, i);
        if (int) k.KeSynchronizeExecution(int, claim, null);
        if (!ok) continue;
        params.CpuNumber = cpu;
        out.value = ch;
        return STATUS_SUCCESS;
      }
    }
    k.ExFreePoolWithTag(pool, TAG);
    return STATUS_INSUFFICIENT_RESOURCES;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const ch = context as Channel;
    const e = ch.dev;
    const release = (): boolean => {
      ch.live = false;
      ch.report = null;
      ch.pendingCpu = -1; // a drain DPC already queued skips the channel
      if (e.bar !== null) {
        hwReset(k, e.bar, ch.index);
        k.WRITE_REGISTER_USHORT(reg(e.bar, ch.index, 'CHANCTRL'), 0);
      }
      if (e.slots[ch.index] === ch) e.slots[ch.index] = null;
      return true;
    };
    const int = e.bar === null ? null : interruptFor(e, ch.index);
    if (int) k.KeSynchronizeExecution(int, release, null);
    else release();
    k.ExFreePoolWithTag(ch.pool, TAG);
  };

  const submit = (ch: Channel, bar: bigint, pa: bigint, count: number, first: boolean): NTSTATUS => {
    if (first) write64(k, reg(bar, ch.index, 'CHAINADDR'), pa);
    if (counted(ch)) {
      ch.count = (ch.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(reg(bar, ch.index, 'DMACOUNT'), ch.count);
    } else {
      command(k, ch, first ? CHANCMD.START : CHANCMD.APPEND);
    }
    return STATUS_SUCCESS;
  };

  const StartDma: DMA_START_HANDLER = (context, _va, pa, count) => {
    const ch = context as Channel;
    return synced(ch, (bar) => submit(ch, bar, pa, count, true));
  };

  const AppendDma: DMA_APPEND_HANDLER = (context, _va, pa, count) => {
    const ch = context as Channel;
    return synced(ch, (bar) => submit(ch, bar, pa, count, false));
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (context, out: OUT<PHYSICAL_ADDRESS>) => {
    const ch = context as Channel;
    return synced(ch, (bar) => {
      command(k, ch, CHANCMD.SUSPEND);
      const at = reg(bar, ch.index, 'CHANSTS');
      let sts = k.READ_REGISTER_ULONG64(at);
      for (let n = 0; n < 2000 && Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusActive; n++) {
        k.KeStallExecutionProcessor(1);
        sts = k.READ_REGISTER_ULONG64(at);
      }
      if (Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusActive) return STATUS_UNSUCCESSFUL;
      out.value = sts & CHANSTS_ADDRESS_MASK;
      return STATUS_SUCCESS;
    });
  };

  const ResumeDma: DMA_RESUME_HANDLER = (context) => {
    const ch = context as Channel;
    return synced(ch, () => {
      command(k, ch, CHANCMD.RESUME);
      return STATUS_SUCCESS;
    });
  };

  const AbortDma: DMA_ABORT_HANDLER = (context) => {
    const ch = context as Channel;
    return synced(ch, () => {
      command(k, ch, CHANCMD.ABORT);
      return STATUS_SUCCESS;
    });
  };

  const ResetChannel: DMA_RESET_HANDLER = (context) => {
    const ch = context as Channel;
    return synced(ch, (bar) => {
      command(k, ch, CHANCMD.ABORT);
      if (!hwReset(k, bar, ch.index)) return STATUS_UNSUCCESSFUL;
      ch.count = 0;
      ch.report = null; // nothing submitted before the reset is reported any more (F32)
      ch.pendingCpu = -1;
      const err = k.READ_REGISTER_ULONG(reg(bar, ch.index, 'CHANERR'));
      if (err !== 0) k.WRITE_REGISTER_ULONG(reg(bar, ch.index, 'CHANERR'), err);
      program(k, ch);
      return STATUS_SUCCESS;
    });
  };

  return { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel };
}
