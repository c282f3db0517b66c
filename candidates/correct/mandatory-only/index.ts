/**
 * mandatory-only — a correct NetDMA provider written independently of the reference.
 *
 * What differs: it registers only the four mandatory handlers (Allocate, Free, Start, Append) plus
 * the affinity callback an MSI-X machine needs, with Suspend/Resume/Abort/Reset NULL; it registers
 * as the highest version the interface offers; it drives at most two channels
 * (MaxDmaChannelCount 2, fewer than the engine has) and reports a 64 KiB MaximumTransferSize; the
 * driver is a class per FDO; DriverEntry allocates nothing, so Unload is a bare return; the power
 * work item exists only while the device is started. Back in D0 after a power loss, that work item
 * (every version) binds each live channel again exactly as its allocation did and re-enables
 * INTRCTRL, then notifies PowerUp (1.1+) and completes the IRP; free slots wait for allocation.
 *
 * @module
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeInterrupt,
  CmResourceTypeMemory,
  DO_DEVICE_INITIALIZING,
  DelayedWorkQueue,
  DevicePowerState,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  GENERAL_REGISTERS,
  INTRCTRL,
  IO_NO_INCREMENT,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_SET_POWER,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IrqPolicySpecifiedProcessors,
  MmNonCached,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NotificationEvent,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  PowerDeviceD0,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NO_SUCH_DEVICE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type CM_RESOURCE_LIST,
  type DEVICE_OBJECT,
  type DRIVER_INITIALIZE,
  type DriverImageLoader,
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type KINTERRUPT,
  type KSPIN_LOCK,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { MoChannels } from './channels';
import { MO_MAX_CHANNELS, MO_MAX_TRANSFER, type Mapped, type MoDevice } from './device';

/** The driver image: one instance per load. */
class MandatoryOnlyDriver {
  private readonly channels: MoChannels;

  constructor(private readonly k: KernelServices) {
    this.channels = new MoChannels(k);
  }

  private dev(d: DEVICE_OBJECT): MoDevice {
    return d.DeviceExtension['mo'] as MoDevice;
  }

  // ---- IRP helpers ----
  /** Sends the IRP down and always waits for the completion routine (PASSIVE_LEVEL PnP dispatch only). */
  private downAndBack(dev: MoDevice, irp: IRP): NTSTATUS {
    const k = this.k;
    const done: KEVENT = {};
    k.KeInitializeEvent(done, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, ev) => {
      k.KeSetEvent(ev as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, done, true, true, true);
    k.IoCallDriver(dev.lower, irp);
    k.KeWaitForSingleObject(done, 0, 0, false, null);
    return irp.IoStatus.Status;
  }
  private complete(irp: IRP, st: NTSTATUS): NTSTATUS {
    irp.IoStatus.Status = st;
    this.k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  }
  private forward(dev: MoDevice, irp: IRP, setSuccess: boolean, power = false): NTSTATUS {
    if (setSuccess) irp.IoStatus.Status = STATUS_SUCCESS;
    this.k.IoSkipCurrentIrpStackLocation(irp);
    return power ? this.k.PoCallDriver(dev.lower, irp) : this.k.IoCallDriver(dev.lower, irp);
  }
  private notify(dev: MoDevice, code: number): void {
    dev.notify!(dev.provider!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
  }

  // ---- hardware ----
  private vendorOf(pdo: DEVICE_OBJECT): number {
    const bus = this.k.IoGetBusInterfaceStandard(pdo);
    if (!bus) return -1;
    const b = new Uint8Array(2);
    const n = bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, b, PCI_VENDOR_ID_OFFSET, b.length);
    bus.InterfaceDereference(bus.Context);
    return n === 2 ? new DataView(b.buffer).getUint16(0, true) : -1;
  }

  private bringUp(dev: MoDevice, res: CM_RESOURCE_LIST): NTSTATUS {
    const k = this.k;
    const bar = res.List[0].PartialResourceList.PartialDescriptors.filter((d) => d.Type === CmResourceTypeMemory)[0];
    if (!bar || bar.Type !== CmResourceTypeMemory) return STATUS_DEVICE_NOT_READY;
    const va = k.MmMapIoSpace(bar.u.Memory.Start, bar.u.Memory.Length, MmNonCached);
    if (va === null) return STATUS_INSUFFICIENT_RESOURCES;
    const count = Math.min(k.READ_REGISTER_UCHAR(va + BigInt(GENERAL_REGISTERS.CHANCNT.offset)) & 0x1f, MO_MAX_CHANNELS);
    const map: Mapped = { va, bytes: bar.u.Memory.Length, count, cpuOf: [], free: [], live: new Array(count).fill(null), interrupts: null, powerItem: null };
    dev.map = map;
    dev.amnesia = false;
    const vendor = this.vendorOf(dev.pdo);
    const xfercap = k.READ_REGISTER_UCHAR(va + BigInt(GENERAL_REGISTERS.XFERCAP.offset)) & 0x1f;
    const hwver = k.READ_REGISTER_UCHAR(va + BigInt(GENERAL_REGISTERS.VER.offset));
    if (vendor < 0 || count === 0) return this.abandon(dev, STATUS_DEVICE_NOT_READY);
    map.powerItem = k.IoAllocateWorkItem(dev.fdo); // every version: D0 re-binds the channels at PASSIVE_LEVEL
    if (!map.powerItem) return this.abandon(dev, STATUS_INSUFFICIENT_RESOURCES);
    const box: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }> = {};
    const params: IO_CONNECT_INTERRUPT_PARAMETERS = {
      Version: CONNECT_MESSAGE_BASED,
      // Fewer messages than channels (MSI, or MSI-X granted short): ATTNSTATUS tells the channels apart.
      MessageBased: { PhysicalDeviceObject: dev.pdo, ConnectionContext: box, MessageServiceRoutine: (i, c, m) => ((box.value?.InterruptMessageTable?.MessageCount ?? 0) < count ? this.channels.lineIsr(i, c) : this.channels.isr(i, c, m)), ServiceContext: dev, SynchronizeIrql: SIMULATED_DIRQL, FloatingSave: false, FallBackServiceRoutine: this.channels.lineIsr },
    };
    const st = k.IoConnectInterruptEx(params);
    if (!NT_SUCCESS(st)) return this.abandon(dev, st);
    const table = box.value?.InterruptMessageTable;
    map.interrupts = params.Version === CONNECT_MESSAGE_BASED && table ? { table } : { line: box.value!.InterruptObject! };
    for (let slot = count - 1; slot >= 0; slot--) map.free.push(slot); // slot 0 is handed out first
    for (let slot = 0; slot < count; slot++) {
      const set = table?.MessageInfo[slot]?.TargetProcessorSet ?? 1n;
      let cpu = 0;
      while (cpu < 63 && !((set >> BigInt(cpu)) & 1n)) cpu++;
      map.cpuOf.push(cpu);
      if (!this.channels.resetSlot(map, slot)) return this.abandon(dev, STATUS_DEVICE_NOT_READY);
    }
    k.WRITE_REGISTER_UCHAR(va + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), INTRCTRL.MASTER_INT_EN);
    dev.started = true;
    k.NetDmaProviderStart(dev.provider!, {
      MajorHwVersion: hwver >> 4, MinorHwVersion: hwver & 15, Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE, Flags: 0, VendorId: vendor,
      DmaChannelCount: count, MaximumTransferSize: Math.min(MO_MAX_TRANSFER, xfercap === 0 ? MO_MAX_TRANSFER : 2 ** xfercap), MaximumAddressSpace: (1n << 48n) - 1n,
    });
    return STATUS_SUCCESS;
  }

  /** Undoes a partial bring-up and returns `st`. */
  private abandon(dev: MoDevice, st: NTSTATUS): NTSTATUS {
    this.release(dev);
    return st;
  }

  /** NetDmaProviderStop (when started) strictly before the resources go. */
  private stopAll(dev: MoDevice): void {
    if (dev.started) {
      this.k.NetDmaProviderStop(dev.provider!);
      dev.started = false;
    }
    this.release(dev);
  }

  private release(dev: MoDevice): void {
    const k = this.k;
    const map = dev.map;
    if (!map) return;
    if (map.interrupts) {
      k.WRITE_REGISTER_UCHAR(map.va + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), 0);
      const i = map.interrupts;
      k.IoDisconnectInterruptEx('table' in i ? { Version: CONNECT_MESSAGE_BASED, ConnectionContext: { InterruptMessageTable: i.table } } : { Version: CONNECT_LINE_BASED, ConnectionContext: { InterruptObject: i.line } });
      map.interrupts = null;
    }
    if (map.powerItem) k.IoFreeWorkItem(map.powerItem);
    map.powerItem = null;
    k.MmUnmapIoSpace(map.va, map.bytes);
    dev.map = null;
    dev.amnesia = false; // the next START programs the engine from scratch
  }

  // ---- PnP ----
  readonly DispatchPnp = (d: DEVICE_OBJECT, irp: IRP): NTSTATUS => {
    const k = this.k;
    const dev = this.dev(d);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const minor = sl.MinorFunction;
    if (minor === IRP_MN_START_DEVICE) {
      const res = sl.Parameters.StartDevice?.AllocatedResourcesTranslated ?? null;
      const st = this.downAndBack(dev, irp);
      if (!NT_SUCCESS(st)) return this.complete(irp, st);
      if (dev.map) this.stopAll(dev);
      return this.complete(irp, res ? this.bringUp(dev, res) : STATUS_INSUFFICIENT_RESOURCES);
    }
    if (minor === IRP_MN_FILTER_RESOURCE_REQUIREMENTS) {
      const st = this.downAndBack(dev, irp);
      if (NT_SUCCESS(st)) this.target(dev, irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null);
      return this.complete(irp, st);
    }
    if (minor === IRP_MN_CANCEL_STOP_DEVICE || minor === IRP_MN_CANCEL_REMOVE_DEVICE) {
      this.downAndBack(dev, irp);
      return this.complete(irp, STATUS_SUCCESS);
    }
    if (minor === IRP_MN_QUERY_STOP_DEVICE || minor === IRP_MN_QUERY_REMOVE_DEVICE) return this.forward(dev, irp, true);
    if (minor === IRP_MN_STOP_DEVICE || minor === IRP_MN_SURPRISE_REMOVAL) {
      this.stopAll(dev);
      return this.forward(dev, irp, true);
    }
    if (minor === IRP_MN_REMOVE_DEVICE) {
      this.stopAll(dev);
      if (dev.provider) k.NetDmaDeregisterProvider(dev.provider);
      dev.provider = null;
      const st = this.forward(dev, irp, true);
      k.IoDetachDevice(dev.lower);
      k.IoDeleteDevice(dev.fdo);
      return st;
    }
    return this.forward(dev, irp, false);
  };

  private target(dev: MoDevice, list: IO_RESOURCE_REQUIREMENTS_LIST | null): void {
    if (!list || dev.affinity.size === 0) return;
    let channel = 0;
    for (const d of list.List[0].Descriptors) {
      if (d.Type !== CmResourceTypeInterrupt || !(d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE)) continue;
      const cpu = dev.affinity.get(channel++);
      if (cpu === undefined) continue;
      d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
      d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
      d.u.Interrupt.Group = 0;
    }
  }

  // ---- power ----
  readonly DispatchPower = (d: DEVICE_OBJECT, irp: IRP): NTSTATUS => {
    const k = this.k;
    const dev = this.dev(d);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const pw = sl.Parameters.Power;
    if (sl.MinorFunction !== IRP_MN_SET_POWER || pw?.Type !== DevicePowerState) return this.forward(dev, irp, false, true);
    const toD0 = pw.State.DeviceState === PowerDeviceD0;
    if (!toD0) {
      if (dev.notify && dev.started && !dev.down) {
        this.notify(dev, NetDmaNotificationProviderPowerDown);
        dev.down = true;
      }
      if (dev.map) dev.amnesia = true; // the bus takes the engine's power (and its registers) away
      return this.forward(dev, irp, false, true);
    }
    const item = dev.map?.powerItem ?? null;
    if ((!dev.down && !dev.amnesia) || !item) return this.forward(dev, irp, false, true);
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_x, i) => {
      k.IoQueueWorkItem(item, () => {
        if (NT_SUCCESS(i.IoStatus.Status)) {
          // The engine before anyone may use it again: before PowerUp (1.1+, F50) and before this
          // IRP completes, after which a 1.0 NetDMA restarts the channels (F39, F51).
          const map = dev.map;
          if (dev.amnesia && map) this.channels.rebindAll(dev, map);
          dev.amnesia = false;
          if (dev.down && dev.provider) {
            this.notify(dev, NetDmaNotificationProviderPowerUp);
            dev.down = false;
          }
        }
        k.IoCompleteRequest(i, IO_NO_INCREMENT);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(dev.lower, irp);
    return STATUS_PENDING;
  };

  // ---- AddDevice ----
  readonly AddDevice = (driver: Parameters<DRIVER_INITIALIZE>[0], pdo: DEVICE_OBJECT): NTSTATUS => {
    const k = this.k;
    const out: OUT<DEVICE_OBJECT> = {};
    const st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(st)) return st;
    const fdo = out.value!;
    const lower = k.IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!lower) {
      k.IoDeleteDevice(fdo);
      return STATUS_NO_SUCH_DEVICE;
    }
    // The highest version the interface offers (2.0 is the highest this driver knows).
    const gv = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = gv === null ? 0x0001_0000 : gv() >>> 0;
    const version = Math.min(((iface >>> 16) << 8) | Math.min(iface & 0xffff, 0xff), 0x200);
    const notify = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const tableLock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(tableLock);
    const dev: MoDevice = { fdo, pdo, lower, version, notify, tableLock, affinity: new Map(), provider: null, map: null, started: false, down: false, amnesia: false };
    fdo.DeviceExtension['mo'] = dev;
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    const reg = k.NetDmaRegisterProvider(dev, handle, {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: version >= 0x200 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MO_MAX_CHANNELS,
      SetDmaChannelCpuAffinity: this.channels.SetDmaChannelCpuAffinity,
      AllocateDmaChannel: this.channels.AllocateDmaChannel,
      FreeDmaChannel: this.channels.FreeDmaChannel,
      StartDma: this.channels.StartDma,
      SuspendDma: null,
      ResumeDma: null,
      AbortDma: null,
      AppendDma: this.channels.AppendDma,
      ResetChannel: null,
      ...(version >= 0x200 ? { FriendlyName: k.RtlInitUnicodeString('Mandatory-only NetDMA provider') } : {}),
    });
    if (!NT_SUCCESS(reg)) {
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return reg;
    }
    dev.provider = handle.value!;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  readonly DriverEntry: DRIVER_INITIALIZE = (driver) => {
    driver.DriverExtension.AddDevice = this.AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = this.DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = this.DispatchPower;
    driver.DriverUnload = () => undefined; // DriverEntry allocated nothing: nothing to free
    return STATUS_SUCCESS;
  };
}

const load: DriverImageLoader = (k) => new MandatoryOnlyDriver(k).DriverEntry;
export default load;
