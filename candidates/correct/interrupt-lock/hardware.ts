/**
 * interrupt-lock: START's hardware half and its undo. The order differs from the reference:
 * vendor id first (before mapping), channels reset before the interrupts are connected, the slot
 * array (with its pool-backed storage) built last, then NetDmaProviderStart.
 */
import {
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  GENERAL_REGISTERS,
  INTRCTRL,
  MmNonCached,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NT_SUCCESS,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  type CM_RESOURCE_LIST,
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type KINTERRUPT,
  type KernelServices,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { IL_MAX_CHANNELS, type Device, type Hardware, type SlotOps } from './slots';

const gen = (bar: bigint, r: keyof typeof GENERAL_REGISTERS) => bar + BigInt(GENERAL_REGISTERS[r].offset);

export interface HardwareOps {
  readonly bringUp: (dev: Device, res: CM_RESOURCE_LIST) => NTSTATUS;
  /** NetDmaProviderStop if running, then interrupts off, disconnected, slots freed, BAR unmapped. */
  readonly shutDown: (dev: Device) => void;
}

export function createHardwareOps(k: KernelServices, slots: SlotOps): HardwareOps {
  const readVendor = (dev: Device): number | null => {
    const bus = k.IoGetBusInterfaceStandard(dev.pdo);
    if (!bus) return null;
    const buf = new Uint8Array(4);
    const got = bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, buf, PCI_VENDOR_ID_OFFSET, 2);
    bus.InterfaceDereference(bus.Context);
    return got === 2 ? buf[0]! + buf[1]! * 256 : null;
  };

  const release = (dev: Device) => {
    const hw = dev.hw;
    if (!hw) return;
    hw.live = false;
    if (hw.table || hw.line) {
      k.WRITE_REGISTER_UCHAR(gen(hw.bar, 'INTRCTRL'), 0);
      k.IoDisconnectInterruptEx(hw.table
        ? { Version: CONNECT_MESSAGE_BASED, ConnectionContext: { InterruptMessageTable: hw.table } }
        : { Version: CONNECT_LINE_BASED, ConnectionContext: { InterruptObject: hw.line! } });
      hw.table = null;
      hw.line = null;
      hw.guard = null;
    }
    slots.dropSlots(hw);
    k.MmUnmapIoSpace(hw.bar, hw.span);
    dev.hw = null;
    dev.unpowered = false; // a later START re-programs everything
  };

  const bringUp = (dev: Device, res: CM_RESOURCE_LIST): NTSTATUS => {
    const vendor = readVendor(dev);
    if (vendor === null) return STATUS_DEVICE_NOT_READY;
    const mem = res.List[0].PartialResourceList.PartialDescriptors.find((d) => d.Type === CmResourceTypeMemory);
    if (!mem || mem.Type !== CmResourceTypeMemory) return STATUS_DEVICE_NOT_READY;
    const bar = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
    if (bar === null) return STATUS_INSUFFICIENT_RESOURCES;
    dev.unpowered = false;
    const hw: Hardware = { dev, bar, span: mem.u.Memory.Length, slots: [], table: null, line: null, guard: null, live: false };
    dev.hw = hw;
    const fail = (st: NTSTATUS) => {
      release(dev);
      return st;
    };
    const count = Math.min(k.READ_REGISTER_UCHAR(gen(bar, 'CHANCNT')) & 0x1f, IL_MAX_CHANNELS);
    const cap = k.READ_REGISTER_UCHAR(gen(bar, 'XFERCAP')) & 0x1f;
    const ver = k.READ_REGISTER_UCHAR(gen(bar, 'VER'));
    if (count < 1) return fail(STATUS_DEVICE_NOT_READY);
    for (let n = 0; n < count; n++) if (!slots.resetRegs(hw, n)) return fail(STATUS_DEVICE_NOT_READY);

    const ctx: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }> = {};
    const p: IO_CONNECT_INTERRUPT_PARAMETERS = {
      Version: CONNECT_MESSAGE_BASED,
      MessageBased: {
        PhysicalDeviceObject: dev.pdo, ConnectionContext: ctx, ServiceContext: dev,
        // Fewer messages than channels (MSI, or MSI-X granted short): ATTNSTATUS tells the channels apart.
        MessageServiceRoutine: (i, c, id) => ((ctx.value?.InterruptMessageTable?.MessageCount ?? 0) < count ? slots.lineIsr(i, c) : slots.messageIsr(i, c, id)),
        SynchronizeIrql: SIMULATED_DIRQL, FloatingSave: false, FallBackServiceRoutine: slots.lineIsr,
      },
    };
    const st = k.IoConnectInterruptEx(p);
    if (!NT_SUCCESS(st)) return fail(st);
    hw.table = p.Version === CONNECT_MESSAGE_BASED ? (ctx.value?.InterruptMessageTable ?? null) : null;
    hw.line = hw.table ? null : (ctx.value?.InterruptObject ?? null);
    hw.guard = hw.table ? hw.table.MessageInfo[0]!.InterruptObject : hw.line;
    const cpus: number[] = [];
    for (let n = 0; n < count; n++) {
      const set = hw.table?.MessageInfo[n]?.TargetProcessorSet ?? 0n;
      cpus.push((set & -set).toString(2).length - 1); // lowest processor of the message's set (0 for none)
    }
    if (!slots.makeSlots(hw, count, cpus)) return fail(STATUS_INSUFFICIENT_RESOURCES);
    hw.live = true;
    k.WRITE_REGISTER_UCHAR(gen(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    dev.running = true;
    k.NetDmaProviderStart(dev.provider!, {
      MajorHwVersion: ver >>> 4, MinorHwVersion: ver & 0x0f, Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE, Flags: 0, VendorId: vendor,
      DmaChannelCount: count, MaximumTransferSize: cap === 0 ? 0x8000_0000 : Math.min(2 ** cap, 0x8000_0000),
      MaximumAddressSpace: 0xffff_ffff_ffffn,
    });
    return STATUS_SUCCESS;
  };

  const shutDown = (dev: Device) => {
    if (dev.running) {
      k.NetDmaProviderStop(dev.provider!); // frees every channel; the ISR and DPC keep working meanwhile
      dev.running = false;
    }
    release(dev);
  };

  return { bringUp, shutDown };
}
