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
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { F_DPC_QUEUED, F_ERROR, F_ERROR_SEEN, F_FORCE_ERROR, MAX_CHANNELS, TAG, type ChannelContext, type FdoExtension } from './types';
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
  /** The interrupt object that delivers channel `ch`'s interrupts (for KeSynchronizeExecution). */
  interruptOf(ch: ChannelContext): KINTERRUPT | null;
  /** The ISR's per-channel work, for KeSynchronizeExecution (context: the channel). */
  serviceSync(context: unknown): boolean;
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

  /** Reads a channel's status, tells NetDMA (NetDmaIsr) and queues the DPC on the CPU NetDMA names. */
  const service = (ch: ChannelContext): boolean => {
    const fdo = ch.fdo;
    if (fdo.regs === null) return false;
    const sts = k.READ_REGISTER_ULONG64(chanReg(fdo.regs, ch.index, 'CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    let last = sts & CHANSTS_ADDRESS_MASK;
    const forced = (k.InterlockedAnd(ch.flags, ~F_FORCE_ERROR) & F_FORCE_ERROR) !== 0;
    if (forced) {
      // The watchdog aborted a hung channel: report the error against the descriptor it hung on.
      if (last === 0n) last = k.READ_REGISTER_ULONG64(chanReg(fdo.regs, ch.index, 'CDAR')) & CHANSTS_ADDRESS_MASK;
      if (last === 0n) last = ch.lastHead;
      if (last === 0n) return true;
    } else if (state === NetDmaTransferStatusArmed || last === 0n) {
      return true; // nothing completed since allocation or reset: claim it, report nothing
    }
    const err = state === NetDmaTransferStatusHalted ? k.READ_REGISTER_ULONG(chanReg(fdo.regs, ch.index, 'CHANERR')) : 0;
    if (err !== 0 || forced) k.InterlockedOr(ch.flags, F_ERROR | F_ERROR_SEEN);
    k.InterlockedExchange64(ch.lastCompleted, last);
    k.InterlockedIncrement(ch.serviced);
    const cpu: OUT<number> = {};
    k.NetDmaIsr(ch.handle, last, cpu);
    k.KeSetTargetProcessorDpc(ch.dpc, cpu.value ?? ch.cpu);
    k.InterlockedOr(ch.flags, F_DPC_QUEUED);
    if (!k.KeInsertQueueDpc(ch.dpc, null, null)) {
      // Already queued: that DPC has not started and will report this too.
    }
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

  const dpc: KDEFERRED_ROUTINE = (_d, context) => {
    const ch = context as ChannelContext;
    const fdo = ch.fdo;
    const flags = k.InterlockedAnd(ch.flags, ~(F_DPC_QUEUED | F_ERROR));
    if (fdo.regs === null || fdo.channels[ch.index] !== ch) return;
    if ((flags & F_ERROR) !== 0) k.NetDmaInterruptDpc(ch.handle, 0n); // an error: NULL (F13a)
    else k.NetDmaInterruptDpc(ch.handle, k.InterlockedCompareExchange64(ch.lastCompleted, 0n, 0n));
    if (fdo.regs !== null) k.WRITE_REGISTER_USHORT(chanReg(fdo.regs, ch.index, 'CHANCTRL'), RUN_CTRL | CHANCTRL.INT_REARM);
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
      dmaCount: 0, busy: false, suspended: false, lastHead: 0n,
      flags: { value: 0 }, lastCompleted: { value: 0n }, serviced: { value: 0 }, commands: { value: 0 },
      watch: { sts: 0n, cdar: 0n, serviced: 0, commands: 0, since: k.KeQueryInterruptTime(), ticks: 0, kicked: false },
    };
    k.KeInitializeSpinLock(ch.cmdLock);
    k.KeInitializeDpc(ch.dpc, dpc, ch);
    k.KeSetTargetProcessorDpc(ch.dpc, cpu);
    fdo.channels[index] = ch;
    k.KeReleaseSpinLock(fdo.lock, old);
    // Reset and program under the channel's command lock: the watchdog judges it only afterwards.
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
    params.CpuNumber = cpu;
    out.value = ch;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const ch = context as ChannelContext;
    const fdo = ch.fdo;
    // Out of the table first: from here on neither the watchdog nor the DPC touches it.
    const old = k.KeAcquireSpinLock(fdo.lock);
    fdo.channels[ch.index] = null;
    k.KeReleaseSpinLock(fdo.lock, old);
    if (fdo.regs !== null) {
      resetChannel(k, fdo.regs, ch.index);
      k.WRITE_REGISTER_USHORT(chanReg(fdo.regs, ch.index, 'CHANCTRL'), 0);
    }
    k.KeRemoveQueueDpc(ch.dpc);
    k.ExFreePoolWithTag(ch.block, TAG);
  };

  /** Runs `body` under the channel's command lock, counting it as a command (progress for the watchdog). */
  const command = (ch: ChannelContext, body: () => NTSTATUS): NTSTATUS => {
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    const old = k.KeAcquireSpinLock(ch.cmdLock);
    let st: NTSTATUS;
    try {
      st = ch.fdo.regs === null ? STATUS_UNSUCCESSFUL : body();
      k.InterlockedIncrement(ch.commands);
    } finally {
      k.KeReleaseSpinLock(ch.cmdLock, old);
    }
    return st;
  };

  const StartDma: DMA_START_HANDLER = (context, _va, pa, count) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      const regs = ch.fdo.regs!;
      ch.lastHead = pa;
      ch.busy = true;
      ch.suspended = false;
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
      ch.lastHead = pa;
      ch.busy = true;
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
      ch.suspended = true;
      out.value = k.READ_REGISTER_ULONG64(chanReg(ch.fdo.regs!, ch.index, 'CHANSTS')) & CHANSTS_ADDRESS_MASK;
      return STATUS_SUCCESS;
    });

  const ResumeDma: DMA_RESUME_HANDLER = (context) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      cmd(ch, CHANCMD.RESUME);
      ch.suspended = false;
      return STATUS_SUCCESS;
    });

  const AbortDma: DMA_ABORT_HANDLER = (context) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      cmd(ch, CHANCMD.ABORT);
      ch.busy = false;
      ch.suspended = false;
      return STATUS_SUCCESS;
    });

  const ResetChannel: DMA_RESET_HANDLER = (context) =>
    command(context as ChannelContext, () => {
      const ch = context as ChannelContext;
      const regs = ch.fdo.regs!;
      cmd(ch, CHANCMD.ABORT); // Halted is reported (F32), then back to the just-allocated state
      if (!resetChannel(k, regs, ch.index)) return STATUS_UNSUCCESSFUL;
      ch.dmaCount = 0;
      ch.busy = false;
      ch.suspended = false;
      ch.lastHead = 0n;
      k.InterlockedAnd(ch.flags, ~(F_ERROR | F_ERROR_SEEN | F_FORCE_ERROR));
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
      ch.busy = false;
      ch.suspended = false;
      ch.lastHead = 0n;
      k.InterlockedAnd(ch.flags, ~(F_ERROR | F_ERROR_SEEN | F_FORCE_ERROR));
      k.InterlockedExchange64(ch.lastCompleted, 0n);
      programChannel(ch);
      k.InterlockedIncrement(ch.commands);
      k.KeReleaseSpinLock(ch.cmdLock, old);
    }
    k.WRITE_REGISTER_UCHAR(genReg(regs, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return true;
  };

  const interruptOf = (ch: ChannelContext): KINTERRUPT | null => {
    const fdo = ch.fdo;
    if (fdo.messageTable) {
      const info = fdo.messageTable.MessageInfo;
      const entry = perChannelMessages(fdo) ? info[ch.index] : info[0];
      return entry?.InterruptObject ?? null;
    }
    return fdo.lineInterrupt;
  };

  return {
    handlers: { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel },
    startHardware,
    stopHardware,
    reinitializeEngine,
    interruptOf,
    serviceSync: (context) => service(context as ChannelContext),
  };
}
