/**
 * dp-hold-stop provider handlers. One spin lock per channel serialises that channel's handlers
 * and its DPC; the engine-wide slot table changes only inside KeSynchronizeExecution.
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
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_RESUME_HANDLER,
  type DMA_START_HANDLER,
  type DMA_SUSPEND_HANDLER,
  type KDEFERRED_ROUTINE,
  type KDPC,
  type KSPIN_LOCK,
  type KernelServices,
  type NTSTATUS,
} from '../../../src/candidate-api';
import { command, hwReset, program, reg, write64 } from './engine';
import { TAG, interruptFor, type Channel, type Engine } from './ext';

export function providerHandlers(k: KernelServices, deferred: KDEFERRED_ROUTINE) {
  const counted = (ch: Channel) => ch.dev.version >= 0x200;

  /** Runs `body` under the channel lock, or fails when the engine's registers are gone. */
  const locked = (ch: Channel, body: (bar: bigint) => NTSTATUS): NTSTATUS => {
    const old = k.KeAcquireSpinLock(ch.lock);
    const st = ch.dev.bar === null || !ch.live ? STATUS_UNSUCCESSFUL : body(ch.dev.bar);
    k.KeReleaseSpinLock(ch.lock, old);
    return st;
  };

  /** Changes a slot of the table where the channel's ISR cannot be looking at it. */
  const setSlot = (e: Engine, i: number, v: Channel | null, expect: Channel | null): boolean => {
    const swap = () => {
      if (e.slots[i] !== expect) return false;
      e.slots[i] = v;
      return true;
    };
    const int = interruptFor(e, i);
    return int ? k.KeSynchronizeExecution(int, swap, null) : swap();
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
    if (e.bar === null || e.holding) return STATUS_UNSUCCESSFUL;
    const mask = params.ProcessorAffinityMask >>> 0;
    const allowed = (cpu: number) => cpu < 32 && ((mask >>> cpu) & 1) === 1;
    const pool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 96, TAG);
    if (!pool) return STATUS_INSUFFICIENT_RESOURCES;
    const lock: KSPIN_LOCK = {};
    const dpc: KDPC = {};
    k.KeInitializeSpinLock(lock);
    // Candidate order: free channels whose interrupt already lands in the mask, then any free one
    // (scanning from the top, so low channels stay free for affinity matches).
    const order: number[] = [];
    for (let i = 0; i < e.channelCount; i++) if (allowed(e.messageCpu[i] ?? 0)) order.push(i);
    for (let i = e.channelCount - 1; i >= 0; i--) if (!allowed(e.messageCpu[i] ?? 0)) order.push(i);
    for (const i of order) {
      if (e.slots[i] !== null) continue;
      let cpu = e.messageCpu[i] ?? 0;
      if (!allowed(cpu)) {
        const active = k.KeQueryActiveProcessorCount();
        let pick = -1;
        for (let c = 0; c < Math.min(active, 32) && pick < 0; c++) if (allowed(c)) pick = c;
        cpu = pick >= 0 ? pick : mask !== 0 ? 31 - Math.clz32(mask & -mask) : cpu;
      }
      const ch: Channel = { dev: e, index: i, handle, cpu, completionPa: params.CompletionPhysicalAddress, lock, dpc, pool, count: 0, live: true };
      k.KeInitializeDpc(dpc, deferred, ch);
      k.KeSetTargetProcessorDpc(dpc, cpu);
      if (!setSlot(e, i, ch, null)) continue; // lost a race for this slot
      if (!hwReset(k, e.bar, i)) {
        ch.live = false;
        setSlot(e, i, null, ch);
        k.ExFreePoolWithTag(pool, TAG);
        return STATUS_UNSUCCESSFUL;
      }
      program(k, ch);
      params.CpuNumber = cpu;
      out.value = ch;
      return STATUS_SUCCESS;
    }
    k.ExFreePoolWithTag(pool, TAG);
    return STATUS_INSUFFICIENT_RESOURCES;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const ch = context as Channel;
    const e = ch.dev;
    const old = k.KeAcquireSpinLock(ch.lock);
    ch.live = false;
    if (e.bar !== null) {
      hwReset(k, e.bar, ch.index);
      k.WRITE_REGISTER_USHORT(reg(e.bar, ch.index, 'CHANCTRL'), 0);
    }
    k.KeReleaseSpinLock(ch.lock, old);
    setSlot(e, ch.index, null, ch);
    k.KeRemoveQueueDpc(ch.dpc);
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
    return locked(ch, (bar) => submit(ch, bar, pa, count, true));
  };

  const AppendDma: DMA_APPEND_HANDLER = (context, _va, pa, count) => {
    const ch = context as Channel;
    return locked(ch, (bar) => submit(ch, bar, pa, count, false));
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (context, out) => {
    const ch = context as Channel;
    return locked(ch, (bar) => {
      command(k, ch, CHANCMD.SUSPEND);
      // The current descriptor finishes before we return (F29): wait until the channel is not ACTIVE.
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
    return locked(ch, () => {
      command(k, ch, CHANCMD.RESUME);
      return STATUS_SUCCESS;
    });
  };

  // Suspend/Resume are offered; Abort and Reset are not (both optional, F17h).
  return { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma: null, AppendDma, ResetChannel: null };
}
