/**
 * filter-alternatives: DriverEntry, AddDevice (NetDMA registration), the PnP dispatch routine with
 * its IRP_MN_FILTER_RESOURCE_REQUIREMENTS handling (filter.ts), and a pass-through for every other
 * major function. The engine side (handlers, ISR/DPC, bring-up) and the power routine are the
 * shared blind engine's (candidates/correct/blind-engine).
 */
import {
  DO_DEVICE_INITIALIZING,
  DeviceUsageTypeDumpFile,
  DeviceUsageTypeHibernation,
  DeviceUsageTypePaging,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IO_NO_INCREMENT,
  IRP_MJ_MAXIMUM_FUNCTION,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_DEVICE_USAGE_NOTIFICATION,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NETDMA_VERSION_1_0,
  NT_SUCCESS,
  NonPagedPoolNx,
  NotificationEvent,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NO_SUCH_DEVICE,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type DEVICE_OBJECT,
  type DRIVER_ADD_DEVICE,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DRIVER_UNLOAD,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type KSPIN_LOCK,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { MAX_CHANNELS, PnpState, type Engine } from '../blind-engine/device';
import { createEngine } from '../blind-engine/engine';
import { createPower } from '../blind-engine/power';
import { createFilter } from './filter';

/** Pool tag 'FAlt'. */
export const TAG = 0x746c_4146;

export function createDriver(k: KernelServices): DRIVER_INITIALIZE {
  const engine = createEngine(k, TAG);
  const { filter } = createFilter(k, TAG);
  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['engine'] as Engine;
  /** PnP state before a QUERY_STOP / QUERY_REMOVE, per device, for CANCEL_*. */
  const beforeQuery = new WeakMap<Engine, PnpState>();
  /** Paging / hibernation / dump files on each device, by DEVICE_USAGE_NOTIFICATION_TYPE. */
  const specialFiles = new WeakMap<Engine, number[]>();
  const inSpecialPath = (dev: Engine) => (specialFiles.get(dev) ?? []).some((n) => n > 0);
  /** DriverEntry's copy of the registry path (F43). */
  let registryCopy: Uint8Array | null = null;

  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  const forwardAndWait = (dev: Engine, irp: IRP): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, IO_NO_INCREMENT, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    if (k.IoCallDriver(dev.lower, irp) === STATUS_PENDING) k.KeWaitForSingleObject(ev, 0, 0, false, null);
    return irp.IoStatus.Status;
  };
  const skipDown = (dev: Engine, irp: IRP): NTSTATUS => {
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.lower, irp);
  };
  /** NetDmaProviderStop first (it frees the channels while the hardware still works, F122), then the hardware. */
  const stopAll = (dev: Engine) => {
    if (dev.providerRunning && dev.handle) {
      k.NetDmaProviderStop(dev.handle);
      dev.providerRunning = false;
      dev.stopSinceStart = true;
    }
    engine.tearDown(dev);
  };

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        if (dev.providerRunning || dev.bar !== null) stopAll(dev); // a START with new resources
        const lower = forwardAndWait(dev, irp);
        if (!NT_SUCCESS(lower)) return complete(irp, lower);
        const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
        if (!res || !dev.handle) return complete(irp, STATUS_DEVICE_NOT_READY);
        // Whichever alternative the PnP manager chose: one message per channel, fewer messages
        // (every message ISR scans ATTNSTATUS), MSI or the line interrupt.
        const up = engine.bringUp(dev, res.AllocatedResourcesTranslated);
        if (!NT_SUCCESS(up.st) || !up.attrs) return complete(irp, NT_SUCCESS(up.st) ? STATUS_DEVICE_NOT_READY : up.st);
        dev.needsRestore = false;
        dev.providerRunning = true; // channels may be allocated from inside NetDmaProviderStart
        dev.stopSinceStart = false;
        k.NetDmaProviderStart(dev.handle, up.attrs);
        dev.pnp = PnpState.Started;
        return complete(irp, STATUS_SUCCESS);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        // On the way up (the bus driver first).
        const st = forwardAndWait(dev, irp);
        // A lower driver's failure stands; STATUS_NOT_SUPPORTED is the untouched initial status.
        if (!NT_SUCCESS(st) && st !== STATUS_NOT_SUPPORTED) return complete(irp, st);
        const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null | undefined;
        if (!list) return complete(irp, st); // the device consumes no resources
        const out = filter(list, dev.wantedCpu);
        switch (out.kind) {
          case 'unchanged':
            return complete(irp, st);
          case 'in-place':
            return complete(irp, STATUS_SUCCESS);
          case 'replaced':
            irp.IoStatus.Information = out.list;
            return complete(irp, STATUS_SUCCESS);
          case 'no-memory':
            // The error goes in IoStatus.Status; the previous list is left as it was.
            return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
        }
        return complete(irp, st);
      }
      case IRP_MN_DEVICE_USAGE_NOTIFICATION: {
        const un = k.IoGetCurrentIrpStackLocation(irp).Parameters.UsageNotification;
        const type = un?.Type ?? -1;
        if (!un || (type !== DeviceUsageTypePaging && type !== DeviceUsageTypeHibernation && type !== DeviceUsageTypeDumpFile)) return skipDown(dev, irp);
        const st = forwardAndWait(dev, irp); // counted only once the stack below has accepted it
        if (NT_SUCCESS(st)) {
          const counts = specialFiles.get(dev) ?? [0, 0, 0, 0];
          counts[type] = Math.max(0, (counts[type] ?? 0) + (un.InPath ? 1 : -1));
          specialFiles.set(dev, counts);
        }
        return complete(irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
      case IRP_MN_QUERY_REMOVE_DEVICE:
        // In the path of a paging, hibernation or dump file: failed here, not passed down (F108, F111).
        if (inSpecialPath(dev)) return complete(irp, STATUS_UNSUCCESSFUL);
        if (dev.pnp !== PnpState.StopPending && dev.pnp !== PnpState.RemovePending) beforeQuery.set(dev, dev.pnp);
        dev.pnp = minor === IRP_MN_QUERY_STOP_DEVICE ? PnpState.StopPending : PnpState.RemovePending;
        irp.IoStatus.Status = STATUS_SUCCESS;
        return skipDown(dev, irp);
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE: {
        forwardAndWait(dev, irp);
        const pending = minor === IRP_MN_CANCEL_STOP_DEVICE ? PnpState.StopPending : PnpState.RemovePending;
        if (dev.pnp === pending) dev.pnp = beforeQuery.get(dev) ?? PnpState.NotStarted;
        return complete(irp, STATUS_SUCCESS);
      }
      case IRP_MN_STOP_DEVICE:
        stopAll(dev);
        dev.pnp = PnpState.Stopped;
        irp.IoStatus.Status = STATUS_SUCCESS;
        return skipDown(dev, irp);
      case IRP_MN_SURPRISE_REMOVAL:
        stopAll(dev);
        dev.pnp = PnpState.SurpriseRemoved;
        irp.IoStatus.Status = STATUS_SUCCESS;
        return skipDown(dev, irp);
      case IRP_MN_REMOVE_DEVICE: {
        stopAll(dev);
        if (dev.handle) k.NetDmaDeregisterProvider(dev.handle);
        dev.handle = null;
        k.IoFreeWorkItem(dev.workItem);
        k.ExFreePoolWithTag(dev.contextPool, TAG);
        irp.IoStatus.Status = STATUS_SUCCESS;
        const st = skipDown(dev, irp);
        k.IoDetachDevice(dev.lower);
        k.IoDeleteDevice(dev.fdo);
        return st;
      }
      default:
        return skipDown(dev, irp);
    }
  };

  const DispatchPower = createPower(k, engine, ext);

  /** Any other major function is not this driver's to handle: down the stack, untouched. */
  const DispatchPassThrough: DRIVER_DISPATCH = (device, irp) => skipDown(ext(device), irp);

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    let st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(st) || !out.value) return NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st;
    const fdo = out.value;
    const lower = k.IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!lower) {
      k.IoDeleteDevice(fdo);
      return STATUS_NO_SUCH_DEVICE;
    }
    const contextPool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 128, TAG);
    const workItem = contextPool ? k.IoAllocateWorkItem(fdo) : null;
    if (!contextPool || !workItem) {
      if (contextPool) k.ExFreePoolWithTag(contextPool, TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() >>> 0 : NETDMA_VERSION_1_0;
    const version = Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notify = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const slotLock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(slotLock);
    const dev: Engine = {
      fdo, pdo, lower, version, notify, slotLock, workItem, contextPool,
      handle: null, providerRunning: false, stopSinceStart: true, pnp: PnpState.NotStarted, announcedDown: false, needsRestore: false, wantedCpu: null,
      bar: null, barLength: 0, msgTable: null, lineObject: null, messageMode: false, nChannels: 0, msgCpu: [], slots: [],
    };
    fdo.DeviceExtension['engine'] = dev;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...engine.handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString('filter-alternatives I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(dev, handle, chars); // the affinity handler may run in here (F8e)
    if (!NT_SUCCESS(st) || !handle.value) {
      k.IoFreeWorkItem(workItem);
      k.ExFreePoolWithTag(contextPool, TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st;
    }
    dev.handle = handle.value;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING; // ready for FILTER_RESOURCE_REQUIREMENTS from here on (F52)
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (registryCopy) k.ExFreePoolWithTag(registryCopy, TAG);
    registryCopy = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, path) => {
    const copy = k.ExAllocatePoolWithTag(NonPagedPoolNx, Math.max(2, path.Length + 2), TAG);
    if (!copy) return STATUS_INSUFFICIENT_RESOURCES;
    for (let i = 0; i < path.Buffer.length && 2 * i + 1 < copy.length; i++) {
      copy[2 * i] = path.Buffer.charCodeAt(i) & 0xff;
      copy[2 * i + 1] = path.Buffer.charCodeAt(i) >> 8;
    }
    registryCopy = copy;
    driver.DriverExtension.AddDevice = AddDevice;
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) driver.MajorFunction[mj] = DispatchPassThrough;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
