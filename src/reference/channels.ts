import {
  CHANCMD,
  CHANSTS_ADDRESS_MASK,
  DCACTRL,
  GENERAL_REGISTERS,
  INTRCTRL,
  NET_DMA_DESCRIPTOR_OFFSETS,
  NET_DMA_DESCRIPTOR_SIZE,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_OP_TYPE_CONTEXT_CHANGE,
  NET_DMA_OP_TYPE_MASK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  PagedPool,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_NOT_SUPPORTED,
  STATUS_UNSUCCESSFUL,
  NonPagedPoolNx,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  NetDmaTransferStatusSuspend,
  type DMA_ABORT_HANDLER,
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_RESET_HANDLER,
  type DMA_RESUME_HANDLER,
  type DMA_START_HANDLER,
  type DMA_SUSPEND_HANDLER,
  type KDPC,
  type KernelServices,
} from '../candidate-api';
import { REFERENCE_TAG, type ChannelContext, type FdoExtension } from './device-extension';
import { SOFT_BUSY, SOFT_ERROR, newSoftState, softState, type Interrupts } from './interrupts';
import type { Mutation } from './mutations';
import { RUN_CHANNEL_CTRL, channelRegister, resetChannel, waitChannelState } from './registers';

/** CHANSTS states of a channel that processes nothing: SUSPENDED, HALTED, ARMED. */
const STOPPED_STATES = [NetDmaTransferStatusSuspend, NetDmaTransferStatusHalted, NetDmaTransferStatusArmed] as const;

/** The nine provider handlers of NET_DMA_PROVIDER_CHARACTERISTICS. */
export interface ProviderHandlers {
  readonly SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER;
  readonly AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER;
  readonly FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER;
  readonly StartDma: DMA_START_HANDLER;
  readonly SuspendDma: DMA_SUSPEND_HANDLER;
  readonly ResumeDma: DMA_RESUME_HANDLER;
  readonly AbortDma: DMA_ABORT_HANDLER;
  readonly AppendDma: DMA_APPEND_HANDLER;
  readonly ResetChannel: DMA_RESET_HANDLER;
}

/**
 * Programs a channel for use: CHANCTRL run bits, CHANCMP = the completion address and, for a DCA
 * provider, DCACTRL = completion writes bound to the channel's CPU (APIC id = CPU number, F40).
 * Done at allocation, after a channel RESET, and after a power loss.
 */
export function programChannel(k: KernelServices, ch: ChannelContext): void {
  const regs = ch.fdo.regs!;
  k.WRITE_REGISTER_USHORT(channelRegister(regs, ch.index, 'CHANCTRL'), RUN_CHANNEL_CTRL);
  k.WRITE_REGISTER_ULONG64(channelRegister(regs, ch.index, 'CHANCMP'), ch.completionPa);
  if (ch.fdo.dca) k.WRITE_REGISTER_ULONG(channelRegister(regs, ch.index, 'DCACTRL'), DCACTRL.CMPL_WRITE_ENABLE | (ch.dcaCpu & DCACTRL.TARGET_CPU_MASK));
}

/**
 * Back in D0 after a power loss (the engine is as after a function reset: every register 0):
 * reset every channel, re-program each allocated one (CHANCTRL, CHANCMP, DCACTRL), forget the
 * software chain state, and re-enable interrupts — before NetDMA restarts the channels (F39, F50,
 * F51). Returns false when the hardware is not mapped (stopped) or a reset does not complete.
 */
export function reinitializeEngine(k: KernelServices, fdo: FdoExtension): boolean {
  const regs = fdo.regs;
  if (regs === null) return false;
  for (let i = 0; i < fdo.channelCount; i++) if (!resetChannel(k, regs, i)) return false;
  for (const ch of fdo.channels) {
    if (ch === null) continue;
    ch.dmaCount = 0;
    ch.error = false;
    ch.lastCompleted = 0n;
    softState(ch).flags = 0;
    programChannel(k, ch);
  }
  k.WRITE_REGISTER_UCHAR(regs + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), INTRCTRL.MASTER_INT_EN);
  return true;
}

/**
 * The provider handlers (F24–F32) on the I/OAT-class engine. NetDMA 1.x providers run linked
 * chains (CHANCMD START / APPEND); 2.0 providers run counted chains (CHAINADDR then DMACOUNT).
 */
export function createHandlers(k: KernelServices, isr: Interrupts, bug: (x: Mutation) => boolean, fdoOf: (providerContext: unknown) => FdoExtension): ProviderHandlers {
  const cmd = (ch: ChannelContext, c: number) => k.WRITE_REGISTER_UCHAR(channelRegister(ch.fdo.regs!, ch.index, 'CHANCMD'), c);
  const counted = (ch: ChannelContext) => ch.fdo.version >= 0x200;
  isr.setMutations(bug);

  /**
   * The bugs that read the chain NetDMA hands over (the reference itself never looks at it): returns
   * false when the chain is refused. `count` descriptors, consecutive from `va`, as NetDMA lays them out.
   */
  const chainBugs = (ch: ChannelContext, va: bigint, count: number): boolean => {
    if (!bug('dp-flagless-gets-defaults') && !bug('dp-max-transfer-exclusive')) return true;
    const list = k.RtlVirtualView(va, count * NET_DMA_DESCRIPTOR_SIZE);
    for (let i = 0; i < count; i++) {
      const at = i * NET_DMA_DESCRIPTOR_SIZE;
      const flags = list.getUint32(at + NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags, true);
      // "ControlFlags 0 means the defaults": a status write and an interrupt for every plain copy.
      if (bug('dp-flagless-gets-defaults') && flags === 0) list.setUint32(at + NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags, NET_DMA_STATUS_UPDATE_ON_COMPLETION | NET_DMA_INTERRUPT_ON_COMPLETION, true);
      // MaximumTransferSize taken as an exclusive bound: a copy of exactly that size is refused.
      const copy = (flags & NET_DMA_OP_TYPE_MASK) === 0 && (flags & NET_DMA_NULL_TRANSFER) === 0;
      if (bug('dp-max-transfer-exclusive') && copy && list.getUint32(at + NET_DMA_DESCRIPTOR_OFFSETS.TransferSize, true) >= ch.fdo.maxTransferSize) return false;
    }
    return true;
  };

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (context, array, size) => {
    const fdo = fdoOf(context);
    const n = Math.floor(size / 8);
    const map = new Map<number, number>();
    for (let i = 0; i < n && i < array.length; i++) map.set(array[i]!.DmaChannel, array[i]!.CpuNumber);
    if (!bug('filter-ignores-affinities')) fdo.affinities = map;
    // "Affinities are not ours to set": a status the handler's page does not document.
    if (bug('register-affinity-not-supported')) return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, handle, out) => {
    const fdo = fdoOf(context);
    if (fdo.regs === null || (bug('channel-not-ready-at-start') && !fdo.providerStarted)) return STATUS_UNSUCCESSFUL;
    const mask = params.ProcessorAffinityMask >>> 0;
    const inMask = (cpu: number) => cpu < 32 && ((mask >>> cpu) & 1) === 1;
    // The channel block from paged pool: NetDMA may call this handler at DISPATCH_LEVEL.
    const paged = bug('irql-handler-paged-pool') ? k.ExAllocatePoolWithTag(PagedPool, 64, REFERENCE_TAG) : null;
    const old = k.KeAcquireSpinLock(fdo.lock);
    // Prefer a free channel whose interrupt already targets a CPU in the mask (F25, F47).
    let index = -1;
    if (!bug('channel-ignores-interrupt-cpu')) for (let i = 0; i < fdo.channelCount && index < 0; i++) if (!fdo.channels[i] && inMask(fdo.messageCpus[i] ?? 0)) index = i;
    for (let i = 0; i < fdo.channelCount && index < 0; i++) if (!fdo.channels[i]) index = i;
    const block = index >= 0 ? (paged ?? k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, REFERENCE_TAG)) : null;
    if (index < 0 || block === null) {
      k.KeReleaseSpinLock(fdo.lock, old);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    let cpu = fdo.messageCpus[index] ?? 0;
    if (!inMask(cpu) || bug('channel-cpu-lowest-in-mask')) cpu = 31 - Math.clz32(mask & -mask);
    if (bug('channel-cpu-outside-mask')) cpu = 31 - Math.clz32(~mask & (mask + 1));
    const dpc: KDPC = {};
    const dcaCpu = bug('dca-binds-current-cpu') ? k.KeGetCurrentProcessorNumber() : cpu;
    const completionPa = params.CompletionPhysicalAddress;
    const ch: ChannelContext = { fdo, index, regs: fdo.regs, handle, cpu, completionPa, dcaCpu, dpc, block, dmaCount: 0, error: false, lastCompleted: 0n, soft: newSoftState() };
    fdo.channels[index] = ch;
    if (!bug('irql-lock-held-on-return')) k.KeReleaseSpinLock(fdo.lock, old);
    k.KeInitializeDpc(dpc, isr.dpc, ch);
    k.KeSetTargetProcessorDpc(dpc, bug('dp-dpc-wrong-cpu') ? (fdo.messageCpus[index] ?? 0) : cpu);
    resetChannel(k, fdo.regs, index);
    programChannel(k, ch);
    params.CpuNumber = cpu;
    out.value = ch;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const ch = context as ChannelContext;
    const fdo = ch.fdo;
    if (fdo.regs !== null) {
      resetChannel(k, fdo.regs, ch.index);
      k.WRITE_REGISTER_USHORT(channelRegister(fdo.regs, ch.index, 'CHANCTRL'), 0);
    }
    k.KeRemoveQueueDpc(ch.dpc);
    const old = k.KeAcquireSpinLock(fdo.lock);
    fdo.channels[ch.index] = null;
    k.KeReleaseSpinLock(fdo.lock, old);
    k.ExFreePoolWithTag(ch.block, REFERENCE_TAG);
  };

  const StartDma: DMA_START_HANDLER = (context, va, pa0, count0) => {
    const ch = context as ChannelContext;
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    let pa = pa0;
    let count = count0;
    if (bug('dca-context-change-as-null')) {
      // "This engine needs no context change": the descriptor becomes a NULL transfer.
      const head = k.RtlVirtualView(va, 64);
      const flags = head.getUint32(NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags, true);
      if ((flags & NET_DMA_OP_TYPE_MASK) >>> 0 === NET_DMA_OP_TYPE_CONTEXT_CHANGE) head.setUint32(NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags, ((flags & ~NET_DMA_OP_TYPE_MASK) | NET_DMA_NULL_TRANSFER) >>> 0, true);
    }
    if (bug('dp-start-skips-null-head') || bug('dp-start-writes-user-context')) {
      const head = k.RtlVirtualView(va, 64);
      const next = head.getBigUint64(NET_DMA_DESCRIPTOR_OFFSETS.NextDescriptor, true);
      const isNull = (head.getUint32(NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags, true) & NET_DMA_NULL_TRANSFER) !== 0;
      if (bug('dp-start-writes-user-context')) head.setBigUint64(NET_DMA_DESCRIPTOR_OFFSETS.UserContext1, BigInt(ch.index), true);
      // "Nothing to copy": start at the next descriptor instead.
      if (bug('dp-start-skips-null-head') && isNull && count > 1 && next !== 0n) {
        pa = next;
        count--;
      }
    }
    if (!chainBugs(ch, va, count0)) return STATUS_UNSUCCESSFUL;
    softState(ch).lastSubmitted = pa0;
    k.WRITE_REGISTER_ULONG64(channelRegister(ch.fdo.regs, ch.index, 'CHAINADDR'), pa);
    if (counted(ch)) {
      ch.dmaCount = (ch.dmaCount + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(channelRegister(ch.fdo.regs, ch.index, 'DMACOUNT'), ch.dmaCount);
    } else {
      cmd(ch, CHANCMD.START);
    }
    return STATUS_SUCCESS;
  };

  const AppendDma: DMA_APPEND_HANDLER = (context, va, pa, count) => {
    const ch = context as ChannelContext;
    if (ch.fdo.regs === null || !chainBugs(ch, va, count)) return STATUS_UNSUCCESSFUL;
    const s = softState(ch);
    s.lastSubmitted = pa;
    const racy = bug('dp-append-races-isr');
    // The ISR sets SOFT_ERROR at DIRQL: update the shared word atomically, never across a register access.
    const flags = s.flags;
    if (!racy) s.flags |= SOFT_BUSY;
    if (counted(ch)) {
      ch.dmaCount = (ch.dmaCount + count - (bug('dp-dmacount-miscounted') ? 1 : 0)) & 0xffff;
      k.WRITE_REGISTER_USHORT(channelRegister(ch.fdo.regs, ch.index, 'DMACOUNT'), ch.dmaCount);
    } else if (!bug('dp-append-no-command')) {
      // NetDMA already patched the old tail; the engine re-reads it (F28).
      cmd(ch, CHANCMD.APPEND);
    }
    if (racy) s.flags = flags | SOFT_BUSY;
    return STATUS_SUCCESS;
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (context, out) => {
    const ch = context as ChannelContext;
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    const chansts = channelRegister(ch.fdo.regs, ch.index, 'CHANSTS');
    if (bug('dp-suspend-reads-before-suspend')) {
      out.value = k.READ_REGISTER_ULONG64(chansts) & CHANSTS_ADDRESS_MASK;
      cmd(ch, CHANCMD.SUSPEND);
      return STATUS_SUCCESS;
    }
    // SUSPEND takes effect between descriptors: once written, CHANSTS names the last processed one.
    cmd(ch, CHANCMD.SUSPEND);
    waitChannelState(k, ch.fdo.regs, ch.index, STOPPED_STATES); // it takes effect after the descriptor in flight
    out.value = bug('dp-suspend-reports-head') ? softState(ch).lastSubmitted : k.READ_REGISTER_ULONG64(chansts) & CHANSTS_ADDRESS_MASK;
    return STATUS_SUCCESS;
  };

  const ResumeDma: DMA_RESUME_HANDLER = (context) => {
    const ch = context as ChannelContext;
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    cmd(ch, CHANCMD.RESUME);
    return STATUS_SUCCESS;
  };

  const AbortDma: DMA_ABORT_HANDLER = (context) => {
    const ch = context as ChannelContext;
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    cmd(ch, bug('dp-abort-is-suspend') ? CHANCMD.SUSPEND : CHANCMD.ABORT);
    waitChannelState(k, ch.fdo.regs, ch.index, STOPPED_STATES); // HALTED once the descriptor in flight is done
    return STATUS_SUCCESS;
  };

  const ResetChannel: DMA_RESET_HANDLER = (context) => {
    const ch = context as ChannelContext;
    if (ch.fdo.regs === null) return STATUS_UNSUCCESSFUL;
    // ABORT first so the Halted status is reported (F32), then RESET to the just-allocated state.
    cmd(ch, CHANCMD.ABORT);
    if (bug('dp-reset-no-reset')) return STATUS_SUCCESS;
    if (!resetChannel(k, ch.fdo.regs, ch.index)) return STATUS_UNSUCCESSFUL;
    ch.dmaCount = 0;
    ch.error = false;
    if (!bug('dp-error-sticky')) softState(ch).flags &= ~SOFT_ERROR;
    programChannel(k, ch);
    return STATUS_SUCCESS;
  };

  return { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel };
}
