/**
 * pended-start: the engine side — bring-up and teardown of BAR0 and the interrupts, the channel
 * handlers, the ISR and the DPC. Bring-up runs in the device's PASSIVE_LEVEL worker.
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  GENERAL_REGISTERS,
  INTRCTRL,
  MmNonCached,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NT_SUCCESS,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  REGISTER_BLOCK_SIZE,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type CM_RESOURCE_LIST,
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_ABORT_HANDLER,
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
import { PS_MAX_CHANNELS, type PsChannel, type PsDevice, type PsHardware } from './device';

const RUN_CTRL = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

export interface PsEngine {
  /** Maps, resets and connects the engine, then NetDmaProviderStart. PASSIVE_LEVEL. */
  bringUp(dev: PsDevice, translated: CM_RESOURCE_LIST): NTSTATUS;
  /** NetDmaProviderStop (if started), then disconnect and unmap. PASSIVE_LEVEL. */
  tearDown(dev: PsDevice): void;
  /**
   * Back in D0 after the engine lost power: the same per-channel RESET as bring-up on every
   * channel, each allocated one re-armed as at allocation with its software chain state
   * forgotten, then INTRCTRL. Run by the worker before PowerUp / before the D0 IRP completes.
   */
  restore(dev: PsDevice): void;
  readonly SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER;
  readonly AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER;
  readonly FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER;
  readonly StartDma: DMA_START_HANDLER;
  readonly AppendDma: DMA_APPEND_HANDLER;
  readonly SuspendDma: DMA_SUSPEND_HANDLER;
  readonly ResumeDma: DMA_RESUME_HANDLER;
  readonly AbortDma: DMA_ABORT_HANDLER;
  readonly ResetChannel: DMA_RESET_HANDLER;
}

export function createEngine(k: KernelServices): PsEngine {
  const reg = (hw: PsHardware, ch: number, name: keyof typeof CHANNEL_REGISTERS) =>
    hw.bar + BigInt(REGISTER_BLOCK_SIZE * (ch + 1) + CHANNEL_REGISTERS[name].offset);
  const general = (hw: PsHardware, name: keyof typeof GENERAL_REGISTERS) => hw.bar + BigInt(GENERAL_REGISTERS[name].offset);
  const counted = (c: PsChannel) => c.dev.major >= 2;

  /** RESET, then poll (bounded) for the bit to self-clear. */
  const reset = (hw: PsHardware, ch: number): boolean => {
    const cmd = reg(hw, ch, 'CHANCMD');
    k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
    for (let tries = 0; tries < 500; tries++) {
      if ((k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) === 0) return true;
      k.KeStallExecutionProcessor(2);
    }
    return false;
  };
  const arm = (c: PsChannel) => {
    k.WRITE_REGISTER_ULONG64(reg(c.hw, c.index, 'CHANCMP'), c.completionPa);
    k.WRITE_REGISTER_USHORT(reg(c.hw, c.index, 'CHANCTRL'), RUN_CTRL);
  };

  // ---- interrupts ----
  const serviceChannel = (c: PsChannel): boolean => {
    const sts = k.READ_REGISTER_ULONG64(reg(c.hw, c.index, 'CHANSTS'));
    // Nothing completed since allocation or reset (a stale interrupt): claim it, report nothing (F12a).
    if (Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusArmed || (sts & CHANSTS_ADDRESS_MASK) === 0n) return true;
    c.lastDone = sts & CHANSTS_ADDRESS_MASK;
    if (Number(sts & CHANSTS_STATE_MASK) === NetDmaTransferStatusHalted && k.READ_REGISTER_ULONG(reg(c.hw, c.index, 'CHANERR')) !== 0) c.faulted = true;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(c.handle, c.lastDone, cpu);
    k.KeSetTargetProcessorDpc(c.dpc, cpu.value ?? c.cpu);
    k.KeInsertQueueDpc(c.dpc, null, null);
    return true;
  };
  const onMessage: KMESSAGE_SERVICE_ROUTINE = (_i, context, id) => {
    const hw = (context as PsDevice).hw;
    const c = hw?.byIndex.get(id);
    return c !== undefined && c.live ? serviceChannel(c) : false;
  };
  const onLine: KSERVICE_ROUTINE = (_i, context) => {
    const hw = (context as PsDevice).hw;
    if (!hw) return false;
    const pending = k.READ_REGISTER_ULONG(general(hw, 'ATTNSTATUS'));
    let claimed = false;
    for (const [i, c] of hw.byIndex) if (c.live && ((pending >>> i) & 1) === 1) claimed = serviceChannel(c) || claimed;
    return claimed;
  };
  const dpcRoutine: KDEFERRED_ROUTINE = (_d, context) => {
    const c = context as PsChannel;
    if (!c.live || c.dev.hw !== c.hw) return;
    if (c.faulted) {
      c.faulted = false; // CHANERR stays set until ResetChannel: every later interrupt reports the error again
      k.NetDmaInterruptDpc(c.handle, 0n);
    } else {
      k.NetDmaInterruptDpc(c.handle, c.lastDone);
    }
    k.WRITE_REGISTER_USHORT(reg(c.hw, c.index, 'CHANCTRL'), RUN_CTRL);
  };

  const release = (dev: PsDevice) => {
    const hw = dev.hw;
    if (!hw) return;
    if (hw.messageTable || hw.lineObject) {
      k.WRITE_REGISTER_UCHAR(general(hw, 'INTRCTRL'), 0);
      if (hw.messageTable) k.IoDisconnectInterruptEx({ Version: CONNECT_MESSAGE_BASED, ConnectionContext: { InterruptMessageTable: hw.messageTable } });
      else k.IoDisconnectInterruptEx({ Version: CONNECT_LINE_BASED, ConnectionContext: { InterruptObject: hw.lineObject! } });
      hw.messageTable = null;
      hw.lineObject = null;
    }
    k.MmUnmapIoSpace(hw.bar, hw.barLength);
    dev.hw = null;
    dev.engineDark = false; // the next START programs the engine from scratch
  };

  const restore = (dev: PsDevice): void => {
    const hw = dev.hw;
    dev.engineDark = false;
    if (!hw) return;
    // Which channels NetDMA holds, read once under the table lock (Allocate/Free change it there).
    const old = k.KeAcquireSpinLock(dev.lock);
    const held = hw.inUse;
    const owners = new Map(hw.byIndex);
    k.KeReleaseSpinLock(dev.lock, old);
    for (let i = 0; i < hw.channelCount; i++) {
      // A channel whose reset never finishes stays dark: NetDMA's restart on it then fails, visibly.
      if (!reset(hw, i) || ((held >>> i) & 1) === 0) continue;
      const c = owners.get(i);
      if (!c || !c.live) continue;
      c.issued = 0; // the power loss zeroed DMACOUNT with everything else
      c.lastDone = 0n;
      c.faulted = false;
      arm(c);
    }
    k.WRITE_REGISTER_UCHAR(general(hw, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
  };

  const bringUp = (dev: PsDevice, translated: CM_RESOURCE_LIST): NTSTATUS => {
    let mem: { Start: bigint; Length: number } | null = null;
    for (const d of translated.List[0].PartialResourceList.PartialDescriptors) if (d.Type === CmResourceTypeMemory && !mem) mem = d.u.Memory;
    if (!mem) return STATUS_DEVICE_NOT_READY;
    const bar = k.MmMapIoSpace(mem.Start, mem.Length, MmNonCached);
    if (bar === null) return STATUS_INSUFFICIENT_RESOURCES;
    const shape = { chancnt: k.READ_REGISTER_UCHAR(bar + BigInt(GENERAL_REGISTERS.CHANCNT.offset)) & 0x1f };
    dev.engineDark = false;
    const hw: PsHardware = {
      bar, barLength: mem.Length, channelCount: Math.min(shape.chancnt, PS_MAX_CHANNELS),
      messageTable: null, lineObject: null, messageCpu: [], inUse: 0, byIndex: new Map(),
    };
    dev.hw = hw;
    const log2 = k.READ_REGISTER_UCHAR(general(hw, 'XFERCAP')) & 0x1f;
    const hwVersion = k.READ_REGISTER_UCHAR(general(hw, 'VER'));
    // The vendor id comes from config space, through the bus interface.
    const bus = k.IoGetBusInterfaceStandard(dev.pdo);
    const id = new Uint8Array(2);
    const n = bus === null ? 0 : bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, id, PCI_VENDOR_ID_OFFSET, 2);
    if (bus !== null) bus.InterfaceDereference(bus.Context);
    if (n !== 2 || hw.channelCount === 0) {
      release(dev);
      return STATUS_DEVICE_NOT_READY;
    }
    for (let i = 0; i < hw.channelCount; i++) {
      if (!reset(hw, i)) {
        release(dev);
        return STATUS_DEVICE_NOT_READY;
      }
    }
    const box: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }> = {};
    const connect: IO_CONNECT_INTERRUPT_PARAMETERS = {
      Version: CONNECT_MESSAGE_BASED,
      MessageBased: {
        PhysicalDeviceObject: dev.pdo, ConnectionContext: box, ServiceContext: dev,
        // Fewer messages than channels (MSI, or MSI-X granted short): ATTNSTATUS tells the channels apart.
        MessageServiceRoutine: (i, c, id) => ((box.value?.InterruptMessageTable?.MessageCount ?? 0) < hw.channelCount ? onLine(i, c) : onMessage(i, c, id)),
        SynchronizeIrql: SIMULATED_DIRQL, FloatingSave: false, FallBackServiceRoutine: onLine,
      },
    };
    const st = k.IoConnectInterruptEx(connect);
    if (!NT_SUCCESS(st)) {
      release(dev);
      return st;
    }
    if (connect.Version === CONNECT_MESSAGE_BASED) hw.messageTable = box.value?.InterruptMessageTable ?? null;
    else hw.lineObject = box.value?.InterruptObject ?? null;
    for (let i = 0; i < hw.channelCount; i++) {
      const set = hw.messageTable?.MessageInfo[i]?.TargetProcessorSet ?? 1n;
      let cpu = 0;
      while (cpu < 64 && ((set >> BigInt(cpu)) & 1n) === 0n) cpu++;
      hw.messageCpu.push(cpu === 64 ? 0 : cpu);
    }
    k.WRITE_REGISTER_UCHAR(general(hw, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    const size = log2 === 0 ? 0x8000_0000 : Math.min(2 ** log2, 0x8000_0000);
    // Everything is ready: NetDMA may allocate channels from inside this call.
    dev.netDmaStarted = true;
    k.NetDmaProviderStart(dev.handle!, {
      MajorHwVersion: (hwVersion >> 4) & 0xf, MinorHwVersion: hwVersion & 0xf, Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE, Flags: 0,
      VendorId: id[0]! | (id[1]! << 8), DmaChannelCount: hw.channelCount, MaximumTransferSize: size, MaximumAddressSpace: 0xffff_ffff_ffffn,
    });
    return STATUS_SUCCESS;
  };

  const tearDown = (dev: PsDevice) => {
    if (dev.netDmaStarted) {
      k.NetDmaProviderStop(dev.handle!); // frees every channel before it returns
      dev.netDmaStarted = false;
    }
    release(dev);
  };

  // ---- handlers ----
  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (context, entries, bytes) => {
    const dev = context as PsDevice;
    const count = Math.min(entries.length, Math.floor(bytes / 8));
    dev.wantedCpu.fill(-1);
    for (let i = 0; i < count; i++) {
      const e = entries[i]!;
      if (e.DmaChannel >= 0 && e.DmaChannel < dev.wantedCpu.length) dev.wantedCpu[e.DmaChannel] = e.CpuNumber;
    }
    dev.haveAffinities = true;
    return STATUS_SUCCESS;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, handle, out) => {
    const dev = context as PsDevice;
    const hw = dev.hw;
    if (!hw) return STATUS_UNSUCCESSFUL;
    const mask = params.ProcessorAffinityMask >>> 0;
    const cpuOk = (cpu: number) => cpu < 32 && ((mask >>> cpu) & 1) === 1;
    const old = k.KeAcquireSpinLock(dev.lock);
    let pick = -1;
    let fallback = -1;
    for (let i = 0; i < hw.channelCount; i++) {
      if ((hw.inUse >>> i) & 1) continue;
      if (fallback < 0) fallback = i;
      if (cpuOk(hw.messageCpu[i]!)) {
        pick = i;
        break;
      }
    }
    if (pick < 0) pick = fallback;
    if (pick >= 0) hw.inUse |= 1 << pick;
    k.KeReleaseSpinLock(dev.lock, old);
    if (pick < 0) return STATUS_INSUFFICIENT_RESOURCES;
    const cpu = cpuOk(hw.messageCpu[pick]!) ? hw.messageCpu[pick]! : 31 - Math.clz32(mask & -mask);
    const dpc: KDPC = {};
    const c: PsChannel = { dev, hw, index: pick, handle, cpu, dpc, completionPa: params.CompletionPhysicalAddress, issued: 0, lastDone: 0n, faulted: false, live: true };
    k.KeInitializeDpc(dpc, dpcRoutine, c);
    k.KeSetTargetProcessorDpc(dpc, cpu);
    if (!reset(hw, pick)) {
      const again = k.KeAcquireSpinLock(dev.lock);
      hw.inUse &= ~(1 << pick);
      k.KeReleaseSpinLock(dev.lock, again);
      return STATUS_UNSUCCESSFUL;
    }
    arm(c);
    hw.byIndex.set(pick, c);
    params.CpuNumber = cpu;
    out.value = c;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const c = context as PsChannel;
    c.live = false;
    if (c.dev.hw === c.hw) {
      reset(c.hw, c.index);
      k.WRITE_REGISTER_USHORT(reg(c.hw, c.index, 'CHANCTRL'), 0);
    }
    k.KeRemoveQueueDpc(c.dpc);
    const old = k.KeAcquireSpinLock(c.dev.lock);
    c.hw.byIndex.delete(c.index);
    c.hw.inUse &= ~(1 << c.index);
    k.KeReleaseSpinLock(c.dev.lock, old);
  };

  const usable = (c: PsChannel) => c.live && c.dev.hw === c.hw;
  const command = (c: PsChannel, bits: number) => k.WRITE_REGISTER_UCHAR(reg(c.hw, c.index, 'CHANCMD'), bits);
  const handOver = (c: PsChannel, count: number) => {
    c.issued = (c.issued + count) & 0xffff;
    k.WRITE_REGISTER_USHORT(reg(c.hw, c.index, 'DMACOUNT'), c.issued);
  };

  const StartDma: DMA_START_HANDLER = (context, _va, pa, count) => {
    const c = context as PsChannel;
    if (!usable(c)) return STATUS_UNSUCCESSFUL;
    k.WRITE_REGISTER_ULONG64(reg(c.hw, c.index, 'CHAINADDR'), pa);
    if (counted(c)) handOver(c, count);
    else command(c, CHANCMD.START);
    return STATUS_SUCCESS;
  };
  const AppendDma: DMA_APPEND_HANDLER = (context, _va, _pa, count) => {
    const c = context as PsChannel;
    if (!usable(c)) return STATUS_UNSUCCESSFUL;
    if (counted(c)) handOver(c, count);
    else command(c, CHANCMD.APPEND);
    return STATUS_SUCCESS;
  };
  const SuspendDma: DMA_SUSPEND_HANDLER = (context, last) => {
    const c = context as PsChannel;
    if (!usable(c)) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.SUSPEND);
    last.value = k.READ_REGISTER_ULONG64(reg(c.hw, c.index, 'CHANSTS')) & CHANSTS_ADDRESS_MASK;
    return STATUS_SUCCESS;
  };
  const ResumeDma: DMA_RESUME_HANDLER = (context) => {
    const c = context as PsChannel;
    if (!usable(c)) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.RESUME);
    return STATUS_SUCCESS;
  };
  const AbortDma: DMA_ABORT_HANDLER = (context) => {
    const c = context as PsChannel;
    if (!usable(c)) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.ABORT);
    return STATUS_SUCCESS;
  };
  const ResetChannel: DMA_RESET_HANDLER = (context) => {
    const c = context as PsChannel;
    if (!usable(c)) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.ABORT); // reports Halted to NetDMA, then back to the just-allocated state
    if (!reset(c.hw, c.index)) return STATUS_UNSUCCESSFUL;
    c.issued = 0;
    c.faulted = false;
    arm(c);
    return STATUS_SUCCESS;
  };

  return { bringUp, tearDown, restore, SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, AppendDma, SuspendDma, ResumeDma, AbortDma, ResetChannel };
}
