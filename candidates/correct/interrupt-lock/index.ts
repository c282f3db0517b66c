/**
 * interrupt-lock — a correct NetDMA provider written independently of the reference.
 *
 * What differs: channel bookkeeping is a per-channel slot array guarded by the interrupt spin lock
 * (KeSynchronizeExecution / KeAcquireInterruptSpinLock), not an executive spin lock; the PnP
 * dispatch routine is a table of minor-code handlers; bottom-up IRPs use a synchronous forwarder
 * that waits only when the lower driver pended; the power work item exists only for 1.1+
 * providers; DMACOUNT is read back from the register rather than shadowed. Back in D0 after a power
 * loss, the D0 completion routine itself (any version, IRQL <= DISPATCH_LEVEL) resets the owned
 * channels and re-programs their slots and INTRCTRL in one KeSynchronizeExecution; PowerUp (1.1+)
 * follows in the work item.
 *
 * @module
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DelayedWorkQueue,
  DevicePowerState,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
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
  NETDMA_VERSION_1_1,
  NETDMA_VERSION_2_0,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NonPagedPoolNx,
  PowerDeviceD0,
  STATUS_CONTINUE_COMPLETION,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NO_SUCH_DEVICE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  SynchronizationEvent,
  type DEVICE_OBJECT,
  type DRIVER_ADD_DEVICE,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DRIVER_UNLOAD,
  type DriverImageLoader,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { createHardwareOps } from './hardware';
import { IL_MAX_CHANNELS, IL_TAG, createSlotOps, type Device } from './slots';

type MinorHandler = (dev: Device, irp: IRP) => NTSTATUS;

const load: DriverImageLoader = (k): DRIVER_INITIALIZE => {
  const slots = createSlotOps(k);
  const hw = createHardwareOps(k, slots);
  /** Driver-wide block allocated in DriverEntry, freed in Unload. */
  let globals: Uint8Array | null = null;
  const devOf = (d: DEVICE_OBJECT) => d.DeviceExtension['il'] as Device;

  // ---- IRP plumbing ----
  const finish = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  const skipDown = (dev: Device, irp: IRP): NTSTATUS => {
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.below, irp);
  };
  const succeedDown = (dev: Device, irp: IRP): NTSTATUS => {
    irp.IoStatus.Status = STATUS_SUCCESS;
    return skipDown(dev, irp);
  };
  /** Sends the IRP down and gets it back: the completion routine signals only if the lower driver pended. */
  const roundTrip = (dev: Device, irp: IRP): NTSTATUS => {
    const back: KEVENT = {};
    k.KeInitializeEvent(back, SynchronizationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, i, c) => {
      if (i.PendingReturned) k.KeSetEvent(c as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, back, true, true, true);
    if (k.IoCallDriver(dev.below, irp) === STATUS_PENDING) k.KeWaitForSingleObject(back, 0, 0, false, null);
    return irp.IoStatus.Status;
  };
  const tellNetDma = (dev: Device, code: number) =>
    dev.notify!(dev.provider!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });

  // ---- the minor-code table ----
  const onStart: MinorHandler = (dev, irp) => {
    const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice?.AllocatedResourcesTranslated;
    const below = roundTrip(dev, irp);
    if (!NT_SUCCESS(below)) return finish(irp, below);
    if (dev.hw) hw.shutDown(dev);
    return finish(irp, res ? hw.bringUp(dev, res) : STATUS_INSUFFICIENT_RESOURCES);
  };
  const onFilter: MinorHandler = (dev, irp) => {
    const below = roundTrip(dev, irp);
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (NT_SUCCESS(below) && list && dev.affinity) {
      const msgs = list.List[0].Descriptors.filter((d) => d.Type === CmResourceTypeInterrupt && (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) !== 0);
      msgs.forEach((d, channel) => {
        const cpu = channel < dev.affinity!.length ? dev.affinity![channel]! : -1;
        if (cpu < 0 || d.Type !== CmResourceTypeInterrupt) return;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
      });
    }
    return finish(irp, below);
  };
  const onCancel: MinorHandler = (dev, irp) => {
    roundTrip(dev, irp);
    return finish(irp, STATUS_SUCCESS);
  };
  const onRelease: MinorHandler = (dev, irp) => {
    hw.shutDown(dev);
    return succeedDown(dev, irp);
  };
  const onRemove: MinorHandler = (dev, irp) => {
    hw.shutDown(dev);
    if (dev.provider) k.NetDmaDeregisterProvider(dev.provider);
    dev.provider = null;
    if (dev.powerItem) k.IoFreeWorkItem(dev.powerItem);
    const st = succeedDown(dev, irp);
    k.IoDetachDevice(dev.below);
    k.IoDeleteDevice(dev.self);
    return st;
  };
  const PNP: ReadonlyMap<number, MinorHandler> = new Map([
    [IRP_MN_START_DEVICE, onStart],
    [IRP_MN_FILTER_RESOURCE_REQUIREMENTS, onFilter],
    [IRP_MN_QUERY_STOP_DEVICE, succeedDown],
    [IRP_MN_QUERY_REMOVE_DEVICE, succeedDown],
    [IRP_MN_CANCEL_STOP_DEVICE, onCancel],
    [IRP_MN_CANCEL_REMOVE_DEVICE, onCancel],
    [IRP_MN_STOP_DEVICE, onRelease],
    [IRP_MN_SURPRISE_REMOVAL, onRelease],
    [IRP_MN_REMOVE_DEVICE, onRemove],
  ]);
  const DispatchPnp: DRIVER_DISPATCH = (d, irp) => {
    const handler = PNP.get(k.IoGetCurrentIrpStackLocation(irp).MinorFunction) ?? skipDown;
    return handler(devOf(d), irp);
  };

  const DispatchPower: DRIVER_DISPATCH = (d, irp) => {
    const dev = devOf(d);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const pw = sl.Parameters.Power;
    const deviceSet = sl.MinorFunction === IRP_MN_SET_POWER && pw !== undefined && pw.Type === DevicePowerState;
    if (deviceSet && pw.State.DeviceState !== PowerDeviceD0) {
      if (dev.notify && dev.running && !dev.napping) {
        tellNetDma(dev, NetDmaNotificationProviderPowerDown);
        dev.napping = true;
      }
      if (dev.hw) dev.unpowered = true; // the bus powers the engine off under this IRP
    }
    if (!deviceSet || pw.State.DeviceState !== PowerDeviceD0) {
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(dev.below, irp);
    }
    // Back to D0: the engine is re-programmed in the completion routine itself (it only touches
    // registers and the interrupt lock, fine at DISPATCH_LEVEL), so on 1.0 it is ready before the
    // IRP completes and NetDMA restarts the channels; on 1.1+ PowerUp follows at PASSIVE_LEVEL.
    const item = dev.powerItem;
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_dd, i) => {
      if (!NT_SUCCESS(i.IoStatus.Status)) return STATUS_CONTINUE_COMPLETION;
      if (dev.unpowered) {
        dev.unpowered = false;
        if (dev.hw) slots.relight(dev.hw);
      }
      if (!item) return STATUS_CONTINUE_COMPLETION;
      k.IoQueueWorkItem(item, () => {
        if (dev.napping && dev.provider) {
          tellNetDma(dev, NetDmaNotificationProviderPowerUp);
          dev.napping = false;
        }
        k.IoCompleteRequest(i, IO_NO_INCREMENT);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(dev.below, irp);
    return STATUS_PENDING;
  };

  // ---- AddDevice / Unload / DriverEntry ----
  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const box: OUT<DEVICE_OBJECT> = {};
    const created = k.IoCreateDevice(driver, 256, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, box);
    if (!NT_SUCCESS(created)) return created;
    const self = box.value!;
    const below = k.IoAttachDeviceToDeviceStack(self, pdo);
    if (!below) {
      k.IoDeleteDevice(self);
      return STATUS_NO_SUCH_DEVICE;
    }
    const query = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = query ? query() >>> 0 : 0x0001_0000;
    const ver = iface >= NETDMA_VERSION_2_0 ? 0x200 : iface >= NETDMA_VERSION_1_1 ? 0x101 : 0x100;
    const notify = ver >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const powerItem = notify ? k.IoAllocateWorkItem(self) : null;
    const bail = (st: NTSTATUS) => {
      if (powerItem) k.IoFreeWorkItem(powerItem);
      k.IoDetachDevice(below);
      k.IoDeleteDevice(self);
      return st;
    };
    if (notify && !powerItem) return bail(STATUS_INSUFFICIENT_RESOURCES);
    const dev: Device = { self, pdo, below, ver, notify, powerItem, affinity: null, provider: null, hw: null, running: false, napping: false, unpowered: false };
    self.DeviceExtension['il'] = dev;
    const two = ver >= 0x200;
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    const st = k.NetDmaRegisterProvider(dev, handle, {
      MajorVersion: ver >> 8,
      MinorVersion: ver & 0xff,
      Size: two ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: IL_MAX_CHANNELS,
      SetDmaChannelCpuAffinity: slots.SetDmaChannelCpuAffinity,
      AllocateDmaChannel: slots.AllocateDmaChannel,
      FreeDmaChannel: slots.FreeDmaChannel,
      StartDma: slots.StartDma,
      SuspendDma: slots.SuspendDma,
      ResumeDma: slots.ResumeDma,
      AbortDma: slots.AbortDma,
      AppendDma: slots.AppendDma,
      ResetChannel: slots.ResetChannel,
      ...(two ? { FriendlyName: k.RtlInitUnicodeString('Interrupt-lock NetDMA copy engine') } : {}),
    });
    if (!NT_SUCCESS(st)) return bail(st);
    dev.provider = handle.value!;
    self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (globals) k.ExFreePoolWithTag(globals, IL_TAG);
    globals = null;
  };

  return (driver) => {
    globals = k.ExAllocatePoolWithTag(NonPagedPoolNx, 32, IL_TAG);
    if (!globals) return STATUS_INSUFFICIENT_RESOURCES;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
};

export default load;
