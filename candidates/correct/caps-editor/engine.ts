/**
 * The engine side: channel handlers (F24–F32), ISR and DPC (F12, F13, F49), bring-up and release.
 *
 * @module
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  DCACTRL,
  INTRCTRL,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  NonPagedPoolNx,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type CM_RESOURCE_LIST,
  type DMA_ABORT_HANDLER,
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_RESET_HANDLER,
  type DMA_RESUME_HANDLER,
  type DMA_START_HANDLER,
  type DMA_SUSPEND_HANDLER,
  type KDEFERRED_ROUTINE,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { F_ERROR, F_PENDING, MAX_CHANNELS, TAG, type ChannelContext, type FdoExtension } from './types';
import { RUN_CTRL, chanReg, genReg, resetChannel } from '../caps-watchdog-engine/regs';
import { createBringUp, perChannelMessages } from '../caps-watchdog-engine/bringup';

export interface Engine {
  readonly handlers: {
    readonly SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER;
    readonly AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER;
    readonly FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER;
    readonly StartDma: DMA_START_HANDLER;
    readonly SuspendDma: DMA_SUSPEND_HANDLER;
    readonly ResumeDma: DMA_RESUME_HANDLER;
    readonly AbortDma: DMA_ABORT_HANDLER;
    readonly AppendDma: DMA_APPEND_HANDLER;
    readonly ResetChannel: DMA_RESET_HANDLER;
  };
  /** START's hardware half, ending with NetDmaProviderStart. */
  startHardware(fdo: FdoExtension, translated: CM_RESOURCE_LIST): NTSTATUS;
  /** Masks, disconnects and unmaps (idempotent). */
  stopHardware(fdo: FdoExtension): void;
  /** Back in D0 after context loss: reset and re-program every channel, re-enable interrupts. */
  reinitializeEngine(fdo: FdoExtension): boolean;
}

export function createEngine(k: KernelServices): Engine {
  const counted = (fdo: FdoExtension) => fdo.version >= 0x200;
  const cmd = (ch: ChannelContext, c: number) => k.WRITE_REGISTER_UCHAR(chanReg(ch.fdo.regs!, ch.index, 'CHANCMD'), c);

  const programChannel = (ch: ChannelContext) => {
    const regs = ch.fdo.regs!;
    k.WRITE_REGISTER_USHORT(chanReg(regs, ch.index, 'CHANCTRL'), RUN_CTRL);
    k.WRITE_REGISTER_ULONG64(chanReg(regs, ch.index, 'CHANCMP'), ch.completionPa);
    if (ch.fdo.dca) k.WRITE_REGISTER_ULONG(chanReg(regs, ch.index, 'DCACTRL'), DCACTRL.CMPL_WRITE_ENABLE | (ch.cpu & DCACTRL.TARGET_CPU_MASK));
  };

  // ---------------- ISR and DPC ----------------

  /**
   * The ISR's whole work on a channel: latch CHANSTS (and whether it halted on an error) with
   * interlocked operations, hand NetDMA the descriptor (NetDmaIsr must be called from the ISR: it
   * names the CPU the DPC runs on, F12b), queue the DPC there. Everything else is the DPC's.
   */
  const service = (ch: ChannelContext): boolean => {
    const fdo = ch.fdo;
    if (fdo.regs === null) return false;
    const sts = k.READ_REGISTER_ULONG64(chanReg(fdo.regs, ch.index, 'CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    const last = sts & CHANSTS_ADDRESS_MASK;
    if (state === NetDmaTransferStatusArmed || last === 0n) return true; // nothing completed yet: claim, report nothing
    const err = state === NetDmaTransferStatusHalted ? k.READ_REGISTER_ULONG(chanReg(fdo.regs, ch.index, 'CHANERR')) : 0;
    k.InterlockedExchange64(ch.latched, sts);
    k.InterlockedOr(ch.flags, F_PENDING | (err !== 0 ? F_ERROR : 0));
    const cpu: OUT<number> = {};
    k.NetDmaIsr(ch.handle, last, cpu);
    k.KeSetTargetProcessorDpc(ch.dpc, cpu.value ?? ch.cpu);
    k.KeInsertQueueDpc(ch.dpc, null, null);
    return true;
  };

  const serviceAttention = (fdo: FdoExtension): boolean => {
    if (fdo.regs === null) return false;
    const attn = k.READ_REGISTER_ULONG(genReg(fdo.regs, 'ATTNSTATUS'));
    let mine = false;
    for (let i = 0; i < fdo.channelCount; i++) {
      const ch = fdo.channels[i];
      if (ch && (attn >>> i) & 1) mine = service(ch) || mine;
    }
    return mine;
  };

  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i, context, message) => {
    const fdo = context as FdoExtension;
    if (!perChannelMessages(fdo)) return serviceAttention(fdo);
    const ch = fdo.channels[message];
    return ch ? service(ch) : false;
  };
  const lineIsr: KSERVICE_ROUTINE = (_i, context) => serviceAttention(context as FdoExtension);

  /** Takes what the ISR latched and does the reporting: NULL after an error (F13a), else the last completed descriptor. */
  const dpc: KDEFERRED_ROUTINE = (_d, context) => {
    const ch = context as ChannelContext;
    const fdo = ch.fdo;
    const flags = k.InterlockedAnd(ch.flags, ~(F_PENDING | F_ERROR));
    if (fdo.regs === null || fdo.channels[ch.index] !== ch) return;
    if ((flags & F_ERROR) !== 0) k.NetDmaInterruptDpc(ch.handle, 0n);
    else if ((flags & F_PENDING) !== 0) k.NetDmaInterruptDpc(ch.handle, k.InterlockedCompareExchange64(ch.latched, 0n, 0n) & CHANSTS_ADDRESS_MASK);
    k.WRITE_REGISTER_USHORT(chanReg(fdo.regs, ch.index, 'CHANCTRL'), RUN_CTRL | CHANCTRL.INT_REARM);
  };

  // ---------------- handlers ----------------

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (context, array, size) => {
    const fdo = context as FdoExtension;
    const map = new Map<number, number>();
    const n = Math.floor(size / 8); // CpuAffinityArraySize is in bytes (F24)
    for (let i = 0; i < n && i < array.length; i++) map.set(array[i]!.DmaChannel, array[i]!.CpuNumber);
    fdo.affinities = map;
    return STATUS_SUCCESS;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, handle, out) => {
    const fdo = context as FdoExtension;
    if (fdo.regs === null) return STATUS_UNSUCCESSFUL;
    const regs = fdo.regs;
    const mask = params.ProcessorAffinityMask >>> 0;
    const inMask = (cpu: number) => cpu < 32 && ((mask >>> cpu) & 1) === 1;
    // Nonpaged: NetDMA may call at DISPATCH_LEVEL.
    const block = k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, TAG);
    if (block === null) return STATUS_INSUFFICIENT_RESOURCES;
    const old = k.KeAcquireSpinLock(fdo.lock);
    let index = -1;
    for (let i = 0; i < fdo.channelCount && index < 0; i++) if (!fdo.channels[i] && inMask(fdo.messageCpus[i] ?? 0)) index = i;
    for (let i = 0; i < fdo.channelCount && index < 0; i++) if (!fdo.channels[i]) index = i;
    if (index < 0) {
      k.KeReleaseSpinLock(fdo.lock, old);
      k.ExFreePoolWithTag(block, TAG);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    let cpu = fdo.messageCpus[index] ?? 0;
    if (!inMask(cpu) && mask !== 0) cpu = 31 - Math.clz32(mask & -mask);
    const ch: ChannelContext = {
      fdo, index, handle, cpu, completionPa: params.CompletionPhysicalAddress, dpc: {}, cmdLock: {}, block,
      dmaCount: 0, flags: { value: 0 }, latched: { value: 0n },
    };
    k.KeInitializeSpinLock(ch.cmdLock);
    k.KeInitializeDpc(ch.dpc, dpc, ch);
    k.KeSetTargetProcessorDpc(ch.dpc, cpu);
    fdo.channels[index] = ch;
    k.KeReleaseSpinLock(fdo.lock, old);
    // Reset and program under the channel's command lock.
    const cmdOld = k.KeAcquireSpinLock(ch.cmdLock);
    const ok = resetChannel(k, regs, index);
    if (ok) programChannel(ch);
    k.KeReleaseSpinLock(ch.cmdLock, cmdOld);
    if (!ok) {
      const again = k.KeAcquireSpinLock(fdo.lock);
      fdo.channels[index] = null;
      k.KeReleaseSpinLock(fdo.lock, again);
      k.ExFreePoolWithTag(block, TAG);
      return STATUS_UNSUCCESSFUL;
    }
    k.InterlockedIncrement(fdo.allocated);
    params.CpuNumber = cpu;
    out.value = ch;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const ch = context as ChannelContext;
    const fdo = ch.fdo;
    // Out of the table first: from here on the DPC leaves it alone.
    const old = k.KeAcquireSpinLock(fdo.lock);
    fdo.channels[ch.index] = null;
    k.KeReleaseSpinLock(fdo.lock, old);
    if (fdo.regs !== null) {
      resetChannel(k, fdo.regs, ch.index);
      k.WRITE_REGISTER_USHORT(chanReg(fdo.regs, ch.index, 'CHANCTRL'), 0);
    }
    k.KeRemoveQueueDpc(ch.dpc);
    k.ExFreePoolWithTag(ch.block, TAG);
    k.InterlockedDecrement(fdo.allocated);
  };

  /** Runs `body` under the channel's command lock. */
  const command = (ch: ChannelContext, body: () => NTSTATUS): NTSTATUS => {
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    const old = k.KeAcquireSpinLock(ch.cmdLock);
    let st: NTSTATUS;
    try {
      st = ch.fdo.regs === null ? STATUS_UNSUCCESSFUL : body();
    } finally {
      k.KeReleaseSpinLock(ch.cmdLock, old);
    }
    return st;
  };

  const StartDma: DMA_START_HANDLER = (context, _va, pa, count) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      const regs = ch.fdo.regs!;
      k.WRITE_REGISTER_ULONG64(chanReg(regs, ch.index, 'CHAINADDR'), pa);
      if (counted(ch.fdo)) {
        ch.dmaCount = (ch.dmaCount + count) & 0xffff;
        k.WRITE_REGISTER_USHORT(chanReg(regs, ch.index, 'DMACOUNT'), ch.dmaCount);
      } else {
        cmd(ch, CHANCMD.START);
      }
      return STATUS_SUCCESS;
    });

  const AppendDma: DMA_APPEND_HANDLER = (context, _va, pa, count) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      if (counted(ch.fdo)) {
        ch.dmaCount = (ch.dmaCount + count) & 0xffff;
        k.WRITE_REGISTER_USHORT(chanReg(ch.fdo.regs!, ch.index, 'DMACOUNT'), ch.dmaCount);
      } else {
        cmd(ch, CHANCMD.APPEND); // NetDMA patched the old tail; the engine re-reads it (F28)
      }
      return STATUS_SUCCESS;
    });

  const SuspendDma: DMA_SUSPEND_HANDLER = (context, out) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      cmd(ch, CHANCMD.SUSPEND);
      out.value = k.READ_REGISTER_ULONG64(chanReg(ch.fdo.regs!, ch.index, 'CHANSTS')) & CHANSTS_ADDRESS_MASK;
      return STATUS_SUCCESS;
    });

  const ResumeDma: DMA_RESUME_HANDLER = (context) =>
    command(context as ChannelContext, () => {
      cmd(context as ChannelContext, CHANCMD.RESUME);
      return STATUS_SUCCESS;
    });

  const AbortDma: DMA_ABORT_HANDLER = (context) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      cmd(ch, CHANCMD.ABORT);
      return STATUS_SUCCESS;
    });

  const ResetChannel: DMA_RESET_HANDLER = (context) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      const regs = ch.fdo.regs!;
      cmd(ch, CHANCMD.ABORT); // Halted is reported (F32), then back to the just-allocated state
      if (!resetChannel(k, regs, ch.index)) return STATUS_UNSUCCESSFUL;
      ch.dmaCount = 0;
      k.InterlockedAnd(ch.flags, ~F_ERROR); // the error was reported; a later completion is not one
      programChannel(ch);
      return STATUS_SUCCESS;
    });

  // ---------------- bring-up and release (../caps-watchdog-engine/bringup.ts) ----------------

  const { startHardware, stopHardware } = createBringUp(k, messageIsr, lineIsr, MAX_CHANNELS);

  const reinitializeEngine = (fdo: FdoExtension): boolean => {
    const regs = fdo.regs;
    if (regs === null) return false;
    for (let i = 0; i < fdo.channelCount; i++) if (!resetChannel(k, regs, i)) return false;
    for (const ch of fdo.channels) {
      if (ch === null) continue;
      const old = k.KeAcquireSpinLock(ch.cmdLock);
      ch.dmaCount = 0;
      k.InterlockedAnd(ch.flags, ~(F_ERROR | F_PENDING));
      k.InterlockedExchange64(ch.latched, 0n);
      programChannel(ch);
      k.KeReleaseSpinLock(ch.cmdLock, old);
    }
    k.WRITE_REGISTER_UCHAR(genReg(regs, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return true;
  };

  return {
    handlers: { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel },
    startHardware,
    stopHardware,
    reinitializeEngine,
  };
}
