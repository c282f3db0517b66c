/**
 * The engine side of the shared-isr provider: hardware references, bring-up and tear-down, the one
 * ISR of the engine and the per-channel DPCs, and the nine NetDMA provider handlers. The engine
 * raises one interrupt for all channels (INTRCTRL without MSIX_VECTOR_CONTROL); whichever message or
 * line delivers it, the same ISR reads ATTNSTATUS and services every channel it flags.
 */
import {
  CHANCMD,
  CHANSTS_ADDRESS_MASK,
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  INTRCTRL,
  MmNonCached,
  NET_DMA_CHANNEL_CPU_AFFINITY_SIZE,
  NET_DMA_CHANNEL_PARAMETERS_REVISION_2,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NT_SUCCESS,
  NonPagedPoolNx,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  REGISTER_BLOCK_SIZE,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
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
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type KDEFERRED_ROUTINE,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NET_DMA_CHANNEL_PARAMETERS,
  type NET_DMA_PROVIDER_ATTRIBUTES,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import {
  CTRL_RUN,
  ST_ACTIVE,
  ST_ARMED,
  ST_HALTED,
  ST_IDLE,
  ST_SUSPENDED,
  chReg,
  genReg,
  lowestCpu,
  pollState,
  readChansts,
  resetChannel,
  stateOf,
} from './regs';
import { CHANNEL_CONTEXT_BYTES, CH_FAULT, CH_PENDING, MAX_CHANNELS, POOL_TAG, type Channel, type DpcContext, type Engine } from './types';

const ALL_ONES = 0xffff_ffff_ffff_ffffn;

export function createEngine(k: KernelServices) {
  // ------------------------------------------------------------ hardware references

  /** Takes a hardware reference: false when the registers are not (or no longer) usable. Any IRQL <= DISPATCH_LEVEL. */
  const acquireHw = (dev: Engine): boolean => {
    if (!dev.hwOpen) return false;
    k.InterlockedIncrement(dev.hwRefs);
    if (!dev.hwOpen) {
      releaseHw(dev);
      return false;
    }
    return true;
  };
  const releaseHw = (dev: Engine): void => {
    if (k.InterlockedDecrement(dev.hwRefs) === 0) k.KeSetEvent(dev.hwDrained, 0, false);
  };
  /** Opens the registers to handlers and DPCs (START, after mapping and connecting). */
  const openHw = (dev: Engine): void => {
    k.InterlockedExchange(dev.hwRefs, 1);
    k.KeClearEvent(dev.hwDrained);
    dev.hwOpen = true;
  };
  /** Closes them and waits (PASSIVE_LEVEL) until no handler, DPC or work item is still using them. */
  const closeHw = (dev: Engine): void => {
    if (!dev.hwOpen) return;
    dev.hwOpen = false;
    releaseHw(dev);
    k.KeWaitForSingleObject(dev.hwDrained, 0, 0, false, null);
  };

  /** Every interrupt object connected for the engine. */
  const interruptObjects = (dev: Engine): KINTERRUPT[] => {
    if (dev.messageTable) return dev.messageTable.MessageInfo.slice(0, dev.messageTable.MessageCount).map((m) => m.InterruptObject);
    return dev.lineInterrupt ? [dev.lineInterrupt] : [];
  };

  /** CHANCTRL and CHANCMP of an allocated channel (after its RESET, after a power loss). */
  const bind = (c: Channel, bar: bigint) => {
    k.WRITE_REGISTER_USHORT(chReg(bar, c.index, 'CHANCTRL'), CTRL_RUN);
    k.WRITE_REGISTER_ULONG64(chReg(bar, c.index, 'CHANCMP'), c.completionPa);
  };

  /** One interrupt for the engine: master enable only, no per-channel MSI-X vector control. */
  const intrctrlRun = (_dev: Engine) => INTRCTRL.MASTER_INT_EN;

  // ------------------------------------------------------------ ISR and DPC

  /** One channel's interrupt, at DIRQL: report the last completed descriptor, aim and queue the DPC. */
  const service = (dev: Engine, bar: bigint, index: number): void => {
    const c = dev.slots[index];
    if (!c) return; // not allocated (or being freed): nothing to report
    const sts = readChansts(k, bar, index);
    const state = stateOf(sts);
    const last = sts & CHANSTS_ADDRESS_MASK;
    if (state === ST_ARMED || last === 0n) return; // nothing completed since allocation / reset
    if (state === ST_HALTED && k.READ_REGISTER_ULONG(chReg(bar, index, 'CHANERR')) !== 0) k.InterlockedOr(c.flags, CH_FAULT);
    k.InterlockedExchange64(c.done, BigInt.asIntN(64, last));
    k.InterlockedOr(c.flags, CH_PENDING);
    const cpu: OUT<number> = {};
    k.NetDmaIsr(c.handle, last, cpu);
    // The DPC runs on the CPU NetDMA names (F12b): target it before queuing it.
    k.KeSetTargetProcessorDpc(dev.dpcs[index]!, cpu.value ?? c.cpu);
    k.KeInsertQueueDpc(dev.dpcs[index]!, null, null);
  };
  /**
   * The engine's ISR: ATTNSTATUS (one bit per channel with an interrupt raised; reading clears it)
   * names the channels; each flagged, allocated channel is serviced. FALSE when no bit was set.
   */
  const engineIsr = (dev: Engine): boolean => {
    const bar = dev.bar;
    if (bar === null) return false;
    const attn = k.READ_REGISTER_ULONG(genReg(bar, 'ATTNSTATUS')) >>> 0;
    if (attn === 0) return false;
    for (let i = 0; i < dev.nChannels; i++) if (((attn >>> i) & 1) === 1) service(dev, bar, i);
    return true;
  };
  /** Any message (whatever its MessageID) is the engine's interrupt; a message is never shared with another device. */
  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i, ctx, _messageId) => {
    engineIsr(ctx as Engine);
    return true;
  };
  /** The line interrupt may be shared: claimed only when the engine flagged a channel. */
  const lineIsr: KSERVICE_ROUTINE = (_i, ctx) => engineIsr(ctx as Engine);

  /** Frees a channel context once neither NetDMA nor a DPC uses it. */
  const freeContext = (c: Channel) => k.ExFreePoolWithTag(c.pool, POOL_TAG);

  const dpcRoutine: KDEFERRED_ROUTINE = (_dpc, context) => {
    const { dev, index } = context as DpcContext;
    k.KeAcquireSpinLockAtDpcLevel(dev.slotLock);
    const c = dev.slots[index];
    if (c) c.dpcUsers++;
    k.KeReleaseSpinLockFromDpcLevel(dev.slotLock);
    if (!c) return; // freed meanwhile
    const taken = k.InterlockedAnd(c.flags, ~(CH_FAULT | CH_PENDING));
    const done = BigInt.asUintN(64, k.InterlockedCompareExchange64(c.done, 0n, 0n));
    if ((taken & CH_FAULT) !== 0) k.NetDmaInterruptDpc(c.handle, 0n); // NULL after an error (F13a)
    else if ((taken & CH_PENDING) !== 0) k.NetDmaInterruptDpc(c.handle, done);
    if (acquireHw(dev)) {
      // Re-arm the channel's interrupt, unless it was freed meanwhile (its CHANCTRL is then 0).
      if (dev.slots[index] === c && dev.bar !== null) k.WRITE_REGISTER_USHORT(chReg(dev.bar, index, 'CHANCTRL'), CTRL_RUN);
      releaseHw(dev);
    }
    k.KeAcquireSpinLockAtDpcLevel(dev.slotLock);
    c.dpcUsers--;
    const last = c.freed && c.dpcUsers === 0;
    k.KeReleaseSpinLockFromDpcLevel(dev.slotLock);
    if (last) freeContext(c);
  };

  // ------------------------------------------------------------ bring-up / tear-down

  /**
   * START's hardware half: map BAR0, read the engine's shape and vendor id, connect the interrupt(s),
   * enable them, open the registers to the handlers. Nothing per channel. On failure everything
   * taken is released and the error returned.
   */
  const bringUp = (dev: Engine, translated: CM_RESOURCE_LIST | undefined): { st: NTSTATUS; attrs?: NET_DMA_PROVIDER_ATTRIBUTES } => {
    const mem = translated?.List[0]?.PartialResourceList.PartialDescriptors.find((d) => d.Type === CmResourceTypeMemory);
    if (!mem || mem.Type !== CmResourceTypeMemory || mem.u.Memory.Length < REGISTER_BLOCK_SIZE * 2) return { st: STATUS_DEVICE_NOT_READY };
    const bar = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
    if (bar === null) return { st: STATUS_INSUFFICIENT_RESOURCES };
    dev.bar = bar;
    dev.barLength = mem.u.Memory.Length;
    const chancnt = k.READ_REGISTER_UCHAR(genReg(bar, 'CHANCNT')) & 0x1f;
    const xfercap = k.READ_REGISTER_UCHAR(genReg(bar, 'XFERCAP')) & 0x1f;
    const ver = k.READ_REGISTER_UCHAR(genReg(bar, 'VER'));
    // Only channels whose register block lies inside the mapped BAR.
    const fit = Math.floor(dev.barLength / REGISTER_BLOCK_SIZE) - 1;
    dev.nChannels = Math.min(chancnt, MAX_CHANNELS, fit);
    const bus = k.IoGetBusInterfaceStandard(dev.pdo);
    const id = new Uint8Array(2);
    const got = bus ? bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, id, PCI_VENDOR_ID_OFFSET, 2) : 0;
    if (bus) bus.InterfaceDereference(bus.Context);
    if (got !== 2 || dev.nChannels <= 0) {
      tearDown(dev);
      return { st: STATUS_DEVICE_NOT_READY };
    }
    dev.slots = new Array<Channel | null>(dev.nChannels).fill(null);
    dev.reserved = new Array<boolean>(dev.nChannels).fill(false);
    const conn: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }> = {};
    const p: IO_CONNECT_INTERRUPT_PARAMETERS = {
      Version: CONNECT_MESSAGE_BASED,
      MessageBased: {
        PhysicalDeviceObject: dev.pdo,
        ConnectionContext: conn,
        MessageServiceRoutine: messageIsr,
        ServiceContext: dev,
        SynchronizeIrql: SIMULATED_DIRQL,
        FloatingSave: false,
        FallBackServiceRoutine: lineIsr,
      },
    };
    const cst = k.IoConnectInterruptEx(p);
    if (!NT_SUCCESS(cst)) {
      tearDown(dev);
      return { st: cst };
    }
    dev.messageBased = p.Version === CONNECT_MESSAGE_BASED;
    dev.messageTable = (dev.messageBased ? conn.value?.InterruptMessageTable : undefined) ?? null;
    dev.lineInterrupt = dev.messageTable ? null : (conn.value?.InterruptObject ?? null);
    // The engine's one interrupt is its first message (the one single-vector mode signals); a line
    // interrupt's CPU is not known.
    const first = dev.messageTable && dev.messageTable.MessageCount > 0 ? dev.messageTable.MessageInfo[0] : undefined;
    dev.interruptCpu = first ? lowestCpu(BigInt.asUintN(64, first.TargetProcessorSet)) : -1;
    // Every channel quiet before interrupts are enabled: reset (bounded) and disarmed.
    for (let i = 0; i < dev.nChannels; i++) {
      if (!resetChannel(k, bar, i)) {
        tearDown(dev);
        return { st: STATUS_DEVICE_NOT_READY };
      }
      k.WRITE_REGISTER_USHORT(chReg(bar, i, 'CHANCTRL'), 0);
    }
    k.WRITE_REGISTER_UCHAR(genReg(bar, 'INTRCTRL'), intrctrlRun(dev));
    openHw(dev);
    // XFERCAP 0 means 32 GiB; the ULONG field gets the largest power of two it holds.
    const maxXfer = xfercap === 0 ? 0x8000_0000 : 2 ** xfercap;
    return {
      st: STATUS_SUCCESS,
      attrs: {
        MajorHwVersion: (ver >> 4) & 0xf,
        MinorHwVersion: ver & 0xf,
        Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
        Flags: 0,
        VendorId: id[0]! | (id[1]! << 8),
        DmaChannelCount: dev.nChannels,
        MaximumTransferSize: maxXfer,
        // CHAINADDR, CHANCMP and the descriptors' addresses are 64-bit: the whole physical address space.
        MaximumAddressSpace: ALL_ONES,
      },
    };
  };

  /** Closes the registers to handlers (waiting for those in flight), masks, disconnects and unmaps. Idempotent. PASSIVE_LEVEL. */
  const tearDown = (dev: Engine): void => {
    closeHw(dev);
    if (dev.messageTable || dev.lineInterrupt) {
      if (dev.bar !== null) k.WRITE_REGISTER_UCHAR(genReg(dev.bar, 'INTRCTRL'), 0);
      k.IoDisconnectInterruptEx({
        Version: dev.messageBased ? CONNECT_MESSAGE_BASED : CONNECT_LINE_BASED,
        ConnectionContext: dev.messageTable ? { InterruptMessageTable: dev.messageTable } : { InterruptObject: dev.lineInterrupt! },
      });
      dev.messageTable = null;
      dev.lineInterrupt = null;
    }
    if (dev.bar !== null) {
      k.MmUnmapIoSpace(dev.bar, dev.barLength);
      dev.bar = null;
    }
    dev.interruptCpu = -1;
  };

  /** Back in D0 after the engine lost its registers: reset and re-bind the allocated channels, re-enable interrupts. PASSIVE_LEVEL. */
  const restore = (dev: Engine): void => {
    if (!acquireHw(dev)) return;
    const bar = dev.bar!;
    for (let i = 0; i < dev.nChannels; i++) {
      const c = dev.slots[i];
      if (!c) continue; // unallocated channels are reset when allocated
      if (!resetChannel(k, bar, i)) continue; // it stays unusable; NetDMA's Start will fail on it
      c.count = 0;
      k.InterlockedExchange(c.flags, 0);
      k.InterlockedExchange64(c.done, 0n);
      bind(c, bar);
    }
    k.WRITE_REGISTER_UCHAR(genReg(bar, 'INTRCTRL'), intrctrlRun(dev));
    releaseHw(dev);
  };

  // ------------------------------------------------------------ provider handlers

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (ctx, array, bytes) => {
    const dev = ctx as Engine;
    const n = Math.min(array.length, Math.floor((bytes >>> 0) / NET_DMA_CHANNEL_CPU_AFFINITY_SIZE));
    const m = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const a = array[i]!;
      if (a.DmaChannel >>> 0 < MAX_CHANNELS && a.CpuNumber >>> 0 < 64) m.set(a.DmaChannel >>> 0, a.CpuNumber >>> 0);
    }
    dev.affinities = m;
    return STATUS_SUCCESS;
  };

  /** The CPUs this channel's DPC may run on: the 32-bit mask, plus ProcessorAffinityMaskEx (group 0) on revision 2. */
  const cpuMask = (params: NET_DMA_CHANNEL_PARAMETERS): bigint => {
    let mask = BigInt(params.ProcessorAffinityMask >>> 0);
    const ex = params.Revision >= NET_DMA_CHANNEL_PARAMETERS_REVISION_2 ? params.ProcessorAffinityMaskEx : undefined;
    if (ex && ex.Group === 0) mask |= BigInt.asUintN(64, ex.Mask);
    const n = k.KeQueryActiveProcessorCount();
    const active = n >= 64 ? ALL_ONES : (1n << BigInt(Math.max(n, 1))) - 1n;
    if ((mask & active) !== 0n) return mask & active;
    return mask !== 0n ? mask : active;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (ctx, params, handle, out) => {
    const dev = ctx as Engine;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const pool = k.ExAllocatePoolWithTag(NonPagedPoolNx, CHANNEL_CONTEXT_BYTES, POOL_TAG);
    if (!pool) {
      releaseHw(dev);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const mask = cpuMask(params);
    const inMask = (cpu: number) => cpu >= 0 && cpu < 64 && ((mask >> BigInt(cpu)) & 1n) === 1n;
    // Fixed after measurement (see DESIGN.md): IOAT-ENGINE.md gives MSI-X "one vector per channel
    // (entry i = channel i)", so when Windows granted a message per channel, channel i interrupts on
    // message i's CPU and a free channel whose message targets a CPU of the mask is taken first
    // (F25); otherwise any free channel ("allocates any available DMA channel").
    const perChannel = dev.messageTable !== null && dev.messageTable !== undefined && dev.messageTable.MessageCount >= dev.nChannels;
    const channelCpu = (i: number): number => (perChannel ? lowestCpu(BigInt.asUintN(64, dev.messageTable!.MessageInfo[i]!.TargetProcessorSet)) : dev.interruptCpu);
    const irql = k.KeAcquireSpinLock(dev.slotLock);
    let pick = -1;
    for (let i = 0; i < dev.nChannels && pick < 0; i++) if (!dev.slots[i] && !dev.reserved[i] && inMask(channelCpu(i))) pick = i;
    for (let i = 0; i < dev.nChannels && pick < 0; i++) if (!dev.slots[i] && !dev.reserved[i]) pick = i;
    if (pick >= 0) dev.reserved[pick] = true;
    k.KeReleaseSpinLock(dev.slotLock, irql);
    if (pick < 0) {
      k.ExFreePoolWithTag(pool, POOL_TAG);
      releaseHw(dev);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const bar = dev.bar!;
    // Reset again: the channel may have run for a client that freed it.
    if (!resetChannel(k, bar, pick)) {
      const irql2 = k.KeAcquireSpinLock(dev.slotLock);
      dev.reserved[pick] = false;
      k.KeReleaseSpinLock(dev.slotLock, irql2);
      k.ExFreePoolWithTag(pool, POOL_TAG);
      releaseHw(dev);
      return STATUS_UNSUCCESSFUL;
    }
    // The DPC on the engine interrupt's CPU when the mask allows it, else on a CPU of the mask (KeSetTargetProcessorDpc).
    const cpu = inMask(channelCpu(pick)) ? channelCpu(pick) : lowestCpu(mask);
    const c: Channel = {
      dev, index: pick, handle, completionPa: params.CompletionPhysicalAddress, cpu, pool,
      count: 0, flags: { value: 0 }, done: { value: 0n }, dpcUsers: 0, freed: false,
    };
    bind(c, bar);
    k.KeSetTargetProcessorDpc(dev.dpcs[pick]!, cpu);
    const irql3 = k.KeAcquireSpinLock(dev.slotLock);
    dev.slots[pick] = c;
    dev.reserved[pick] = false;
    k.KeReleaseSpinLock(dev.slotLock, irql3);
    params.CpuNumber = cpu;
    out.value = c;
    releaseHw(dev);
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    const irql = k.KeAcquireSpinLock(dev.slotLock);
    if (dev.slots[c.index] === c) dev.slots[c.index] = null;
    c.freed = true;
    const nowFree = c.dpcUsers === 0;
    k.KeReleaseSpinLock(dev.slotLock, irql);
    if (acquireHw(dev)) {
      // Quiet the channel: reset (bounded) and disarm its interrupt.
      resetChannel(k, dev.bar!, c.index);
      k.WRITE_REGISTER_USHORT(chReg(dev.bar!, c.index, 'CHANCTRL'), 0);
      // A barrier with every ISR: none still holds this channel once each interrupt lock was taken.
      for (const obj of interruptObjects(dev)) k.KeSynchronizeExecution(obj, () => true, null);
      releaseHw(dev);
    }
    k.KeRemoveQueueDpc(dev.dpcs[c.index]!);
    if (nowFree) freeContext(c);
  };

  const command = (c: Channel, bar: bigint, cmd: number) => k.WRITE_REGISTER_UCHAR(chReg(bar, c.index, 'CHANCMD'), cmd);
  const counted = (c: Channel) => c.dev.version >= 0x200;

  const StartDma: DMA_START_HANDLER = (ctx, _va, pa, count) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const bar = dev.bar!;
    k.WRITE_REGISTER_ULONG64(chReg(bar, c.index, 'CHAINADDR'), pa); // the full 64-bit address
    if (counted(c)) {
      c.count = (c.count + (count >>> 0)) & 0xffff;
      k.WRITE_REGISTER_USHORT(chReg(bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(c, bar, CHANCMD.START);
    }
    releaseHw(dev);
    return STATUS_SUCCESS;
  };

  const AppendDma: DMA_APPEND_HANDLER = (ctx, _va, _pa, count) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const bar = dev.bar!;
    if (counted(c)) {
      c.count = (c.count + (count >>> 0)) & 0xffff;
      k.WRITE_REGISTER_USHORT(chReg(bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(c, bar, CHANCMD.APPEND); // the engine re-reads the tail NetDMA patched, even a prefetched one (F28)
    }
    releaseHw(dev);
    return STATUS_SUCCESS;
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (ctx, lastOut) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const bar = dev.bar!;
    let sts = readChansts(k, bar, c.index);
    let st: NTSTATUS = STATUS_SUCCESS;
    const state = stateOf(sts);
    if (state === ST_ACTIVE || state === ST_IDLE) {
      // SUSPEND takes effect after the current descriptor: wait (bounded) until the channel says so.
      command(c, bar, CHANCMD.SUSPEND);
      const after = pollState(k, bar, c.index, [ST_SUSPENDED, ST_HALTED]);
      if (after === null || stateOf(after) === ST_HALTED) st = STATUS_UNSUCCESSFUL;
      else sts = after;
    } else if (state === ST_HALTED && k.READ_REGISTER_ULONG(chReg(bar, c.index, 'CHANERR')) !== 0) {
      st = STATUS_UNSUCCESSFUL; // halted on an error: the error completion reports it
    }
    if (NT_SUCCESS(st)) lastOut.value = sts & CHANSTS_ADDRESS_MASK;
    releaseHw(dev);
    return st;
  };

  const ResumeDma: DMA_RESUME_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const bar = dev.bar!;
    // RESUME only from SUSPENDED; the engine reloads the last processed descriptor's NextDescriptor (F30).
    if (stateOf(readChansts(k, bar, c.index)) === ST_SUSPENDED) command(c, bar, CHANCMD.RESUME);
    releaseHw(dev);
    return STATUS_SUCCESS;
  };

  const AbortDma: DMA_ABORT_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const bar = dev.bar!;
    let st: NTSTATUS = STATUS_SUCCESS;
    const state = stateOf(readChansts(k, bar, c.index));
    if (state !== ST_HALTED && state !== ST_ARMED) {
      command(c, bar, CHANCMD.ABORT);
      // The engine stops without finishing the current descriptor: wait (bounded) for HALTED.
      if (pollState(k, bar, c.index, [ST_HALTED]) === null) st = STATUS_UNSUCCESSFUL;
    }
    releaseHw(dev);
    return st;
  };

  const ResetChannel: DMA_RESET_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (!acquireHw(dev)) return STATUS_UNSUCCESSFUL;
    const bar = dev.bar!;
    const state = stateOf(readChansts(k, bar, c.index));
    if (state !== ST_HALTED && state !== ST_ARMED) {
      // ABORT first so the HALTED status is written (F32); RESET follows whatever the abort did.
      command(c, bar, CHANCMD.ABORT);
      pollState(k, bar, c.index, [ST_HALTED]);
    }
    if (!resetChannel(k, bar, c.index)) {
      releaseHw(dev);
      return STATUS_UNSUCCESSFUL;
    }
    c.count = 0;
    k.InterlockedExchange(c.flags, 0);
    k.InterlockedExchange64(c.done, 0n);
    bind(c, bar);
    releaseHw(dev);
    return STATUS_SUCCESS;
  };

  return {
    bringUp,
    tearDown,
    restore,
    dpcRoutine,
    handlers: { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel },
  };
}
export type EngineOps = ReturnType<typeof createEngine>;
