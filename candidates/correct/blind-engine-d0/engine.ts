/**
 * The nine provider handlers on the I/OAT-class engine, plus the hardware bring-up and tear-down
 * used by START / STOP / SURPRISE_REMOVAL / REMOVE and by the D0 restore.
 *
 * Reused from candidates/correct/blind-engine/engine.ts (another blind author's engine code), with
 * one change: registers are touched only while the device is in D0 (`dev.d0`), since these
 * providers' devices leave D0 on their own power policy.
 *
 * Shared by policy-owner and paging-usage-10 (the same blind author's copy, identical in both);
 * the pool tag is the caller's.
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  INTRCTRL,
  MmNonCached,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NT_SUCCESS,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  NonPagedPoolNx,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
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
  type KDPC,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { MAX_CHANNELS, type Channel, type Engine } from './device';
import { CTRL_RUN, greg, hwResetChannel, reg } from './regs';

export function createEngine(k: KernelServices, poolTag: number) {
  const command = (c: Channel, v: number) => k.WRITE_REGISTER_UCHAR(reg(c.dev.bar!, c.index, 'CHANCMD'), v);
  const counted = (c: Channel) => c.dev.version >= 0x200;

  /** CHANCTRL and CHANCMP of an allocated channel (at allocation, after RESET, after power loss). */
  const bind = (c: Channel) => {
    const bar = c.dev.bar!;
    k.WRITE_REGISTER_USHORT(reg(bar, c.index, 'CHANCTRL'), CTRL_RUN);
    k.WRITE_REGISTER_ULONG64(reg(bar, c.index, 'CHANCMP'), c.completionPa);
  };

  // ---------------------------------------------------------------- interrupts

  const service = (c: Channel): boolean => {
    const bar = c.dev.bar;
    if (bar === null || !c.dev.d0) return false;
    const sts = k.READ_REGISTER_ULONG64(reg(bar, c.index, 'CHANSTS'));
    const last = sts & CHANSTS_ADDRESS_MASK;
    const state = Number(sts & CHANSTS_STATE_MASK);
    if (state === NetDmaTransferStatusArmed || last === 0n) return true; // nothing completed yet
    c.faulted = state === NetDmaTransferStatusHalted && k.READ_REGISTER_ULONG(reg(bar, c.index, 'CHANERR')) !== 0;
    c.done = last;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(c.handle, last, cpu);
    k.KeSetTargetProcessorDpc(c.dpc, cpu.value ?? c.cpu);
    k.KeInsertQueueDpc(c.dpc, null, null);
    return true;
  };
  /** Scan ATTNSTATUS (line interrupt, or fewer messages than channels). */
  const scan = (dev: Engine): boolean => {
    if (dev.bar === null || !dev.d0) return false;
    const attn = k.READ_REGISTER_ULONG(greg(dev.bar, 'ATTNSTATUS'));
    let claimed = false;
    for (let i = 0; i < dev.nChannels; i++) {
      const c = dev.slots[i];
      if (c && ((attn >>> i) & 1) === 1) claimed = service(c) || claimed;
    }
    return claimed;
  };
  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i: KINTERRUPT, ctx: unknown, id: number) => {
    const dev = ctx as Engine;
    if (dev.msgTable && dev.msgTable.MessageCount < dev.nChannels) return scan(dev);
    const c = dev.slots[id];
    return c ? service(c) : false;
  };
  const lineIsr: KSERVICE_ROUTINE = (_i: KINTERRUPT, ctx: unknown) => scan(ctx as Engine);
  const dpcRoutine: KDEFERRED_ROUTINE = (_d: KDPC, ctx: unknown) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (dev.bar === null || dev.slots[c.index] !== c) return;
    if (c.faulted) {
      c.faulted = false;
      k.NetDmaInterruptDpc(c.handle, 0n); // NULL after an error (F13a)
    } else {
      k.NetDmaInterruptDpc(c.handle, c.done);
    }
    if (dev.bar !== null && dev.d0 && dev.slots[c.index] === c) {
      k.WRITE_REGISTER_USHORT(reg(dev.bar, c.index, 'CHANCTRL'), CTRL_RUN | CHANCTRL.INT_REARM);
    }
  };

  // ---------------------------------------------------------------- hardware bring-up / tear-down

  /** Maps BAR0, connects interrupts and resets the channels. Returns the attributes for NetDmaProviderStart. */
  const bringUp = (dev: Engine, translated: CM_RESOURCE_LIST): { st: NTSTATUS; attrs?: Parameters<KernelServices['NetDmaProviderStart']>[1] } => {
    const mem = translated.List[0].PartialResourceList.PartialDescriptors.find((d) => d.Type === CmResourceTypeMemory);
    if (!mem || mem.Type !== CmResourceTypeMemory) return { st: STATUS_DEVICE_NOT_READY };
    const bar = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
    if (bar === null) return { st: STATUS_INSUFFICIENT_RESOURCES };
    dev.bar = bar;
    dev.barLength = mem.u.Memory.Length;
    const chancnt = k.READ_REGISTER_UCHAR(greg(bar, 'CHANCNT')) & 0x1f;
    const xfercap = k.READ_REGISTER_UCHAR(greg(bar, 'XFERCAP')) & 0x1f;
    const ver = k.READ_REGISTER_UCHAR(greg(bar, 'VER'));
    const bus = k.IoGetBusInterfaceStandard(dev.pdo);
    const id = new Uint8Array(2);
    const got = bus ? bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, id, PCI_VENDOR_ID_OFFSET, 2) : 0;
    if (bus) bus.InterfaceDereference(bus.Context);
    if (got !== 2 || chancnt === 0) {
      tearDown(dev);
      return { st: STATUS_DEVICE_NOT_READY };
    }
    dev.nChannels = Math.min(chancnt, MAX_CHANNELS);
    dev.slots = new Array<Channel | null>(dev.nChannels).fill(null);
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
    dev.messageMode = p.Version === CONNECT_MESSAGE_BASED;
    dev.msgTable = conn.value?.InterruptMessageTable ?? null;
    dev.lineObject = conn.value?.InterruptObject ?? null;
    dev.msgCpu = [];
    for (let i = 0; i < dev.nChannels; i++) {
      const e = dev.msgTable && dev.msgTable.MessageCount >= dev.nChannels ? dev.msgTable.MessageInfo[i] : undefined;
      let cpu = -1;
      if (e) for (let b = 0; b < 64; b++) if (((e.TargetProcessorSet >> BigInt(b)) & 1n) === 1n) { cpu = b; break; }
      dev.msgCpu.push(cpu);
    }
    for (let i = 0; i < dev.nChannels; i++) {
      if (!hwResetChannel(k, bar, i)) {
        tearDown(dev);
        return { st: STATUS_DEVICE_NOT_READY };
      }
    }
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    const maxXfer = xfercap === 0 ? 0x8000_0000 : Math.min(2 ** xfercap, 0x8000_0000);
    return {
      st: STATUS_SUCCESS,
      attrs: {
        MajorHwVersion: ver >> 4,
        MinorHwVersion: ver & 0xf,
        Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
        Flags: 0,
        VendorId: id[0]! | (id[1]! << 8),
        DmaChannelCount: dev.nChannels,
        MaximumTransferSize: maxXfer,
        MaximumAddressSpace: 0xffff_ffff_ffffn,
      },
    };
  };

  /** Masks interrupts, disconnects them and unmaps BAR0; safe to call twice. */
  const tearDown = (dev: Engine) => {
    if (dev.msgTable || dev.lineObject) {
      if (dev.bar !== null && dev.d0) k.WRITE_REGISTER_UCHAR(greg(dev.bar, 'INTRCTRL'), 0);
      k.IoDisconnectInterruptEx({
        Version: dev.messageMode ? CONNECT_MESSAGE_BASED : CONNECT_LINE_BASED,
        ConnectionContext: dev.msgTable ? { InterruptMessageTable: dev.msgTable } : { InterruptObject: dev.lineObject! },
      });
      dev.msgTable = null;
      dev.lineObject = null;
    }
    if (dev.bar !== null) {
      k.MmUnmapIoSpace(dev.bar, dev.barLength);
      dev.bar = null;
    }
  };

  /** Back in D0 after the engine lost its registers: reset all channels, re-bind the allocated ones. */
  const restore = (dev: Engine): boolean => {
    if (dev.bar === null || !dev.d0) return false;
    for (let i = 0; i < dev.nChannels; i++) if (!hwResetChannel(k, dev.bar, i)) return false;
    for (const c of dev.slots) {
      if (!c) continue;
      c.count = 0;
      c.faulted = false;
      c.done = 0n;
      bind(c);
    }
    k.WRITE_REGISTER_UCHAR(greg(dev.bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return true;
  };

  // ---------------------------------------------------------------- provider handlers

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (ctx, array, bytes) => {
    const dev = ctx as Engine;
    const m = new Map<number, number>();
    const n = Math.min(array.length, Math.floor(bytes / 8));
    for (let i = 0; i < n; i++) m.set(array[i]!.DmaChannel, array[i]!.CpuNumber);
    dev.wantedCpu = m;
    return STATUS_SUCCESS;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (ctx, params, handle, out) => {
    const dev = ctx as Engine;
    if (dev.bar === null || !dev.d0) return STATUS_UNSUCCESSFUL;
    const mask = params.ProcessorAffinityMask >>> 0;
    const ok = (cpu: number) => cpu >= 0 && cpu < 32 && ((mask >>> cpu) & 1) === 1;
    const pool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 96, poolTag);
    if (!pool) return STATUS_INSUFFICIENT_RESOURCES;
    const irql = k.KeAcquireSpinLock(dev.slotLock);
    let pick = -1;
    for (let i = 0; i < dev.nChannels; i++) if (!dev.slots[i] && ok(dev.msgCpu[i]!)) { pick = i; break; }
    if (pick < 0) for (let i = 0; i < dev.nChannels; i++) if (!dev.slots[i]) { pick = i; break; }
    if (pick < 0) {
      k.KeReleaseSpinLock(dev.slotLock, irql);
      k.ExFreePoolWithTag(pool, poolTag);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    let cpu = dev.msgCpu[pick]!;
    if (!ok(cpu)) cpu = mask === 0 ? Math.max(cpu, 0) : 31 - Math.clz32(mask & -mask);
    const c: Channel = { dev, index: pick, handle, completionPa: params.CompletionPhysicalAddress, cpu, dpc: {}, pool, count: 0, faulted: false, done: 0n };
    dev.slots[pick] = c;
    k.KeReleaseSpinLock(dev.slotLock, irql);
    k.KeInitializeDpc(c.dpc, dpcRoutine, c);
    k.KeSetTargetProcessorDpc(c.dpc, cpu);
    hwResetChannel(k, dev.bar, pick);
    bind(c);
    params.CpuNumber = cpu;
    out.value = c;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (dev.bar !== null && dev.d0) {
      hwResetChannel(k, dev.bar, c.index);
      k.WRITE_REGISTER_USHORT(reg(dev.bar, c.index, 'CHANCTRL'), 0);
    }
    k.KeRemoveQueueDpc(c.dpc);
    const irql = k.KeAcquireSpinLock(dev.slotLock);
    dev.slots[c.index] = null;
    k.KeReleaseSpinLock(dev.slotLock, irql);
    k.ExFreePoolWithTag(c.pool, poolTag);
  };

  const StartDma: DMA_START_HANDLER = (ctx, _va, pa, count) => {
    const c = ctx as Channel;
    if (c.dev.bar === null || !c.dev.d0) return STATUS_UNSUCCESSFUL;
    k.WRITE_REGISTER_ULONG64(reg(c.dev.bar, c.index, 'CHAINADDR'), pa);
    if (counted(c)) {
      c.count = (c.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(reg(c.dev.bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(c, CHANCMD.START);
    }
    return STATUS_SUCCESS;
  };

  const AppendDma: DMA_APPEND_HANDLER = (ctx, _va, _pa, count) => {
    const c = ctx as Channel;
    if (c.dev.bar === null || !c.dev.d0) return STATUS_UNSUCCESSFUL;
    if (counted(c)) {
      c.count = (c.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(reg(c.dev.bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(c, CHANCMD.APPEND); // the engine re-reads the tail NetDMA patched (F28)
    }
    return STATUS_SUCCESS;
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (ctx, last) => {
    const c = ctx as Channel;
    if (c.dev.bar === null || !c.dev.d0) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.SUSPEND);
    last.value = k.READ_REGISTER_ULONG64(reg(c.dev.bar, c.index, 'CHANSTS')) & CHANSTS_ADDRESS_MASK;
    return STATUS_SUCCESS;
  };

  const ResumeDma: DMA_RESUME_HANDLER = (ctx) => {
    const c = ctx as Channel;
    if (c.dev.bar === null || !c.dev.d0) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.RESUME);
    return STATUS_SUCCESS;
  };

  const AbortDma: DMA_ABORT_HANDLER = (ctx) => {
    const c = ctx as Channel;
    if (c.dev.bar === null || !c.dev.d0) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.ABORT);
    return STATUS_SUCCESS;
  };

  const ResetChannel: DMA_RESET_HANDLER = (ctx) => {
    const c = ctx as Channel;
    if (c.dev.bar === null || !c.dev.d0) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.ABORT); // Halted is reported (F32)
    if (!hwResetChannel(k, c.dev.bar, c.index)) return STATUS_UNSUCCESSFUL;
    c.count = 0;
    c.faulted = false;
    bind(c);
    return STATUS_SUCCESS;
  };

  return {
    bringUp,
    tearDown,
    restore,
    handlers: { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel },
  };
}
export type EngineOps = ReturnType<typeof createEngine>;
