/**
 * The WDM side: DriverEntry, AddDevice (NetDmaRegisterProvider), the PnP dispatch routine (START,
 * STOP / rebalance, QUERY_* / CANCEL_*, SURPRISE_REMOVAL, REMOVE, FILTER_RESOURCE_REQUIREMENTS,
 * DEVICE_USAGE_NOTIFICATION), the power dispatch routine (PowerDown / PowerUp around device power
 * IRPs), a pass-through for every other IRP, and Unload.
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DO_POWER_PAGABLE,
  DelayedWorkQueue,
  DevicePowerState,
  DeviceUsageTypeDumpFile,
  DeviceUsageTypePaging,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IO_NO_INCREMENT,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
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
  IRP_MN_SET_POWER,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IrqPolicySpecifiedProcessors,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NotificationEvent,
  PowerDeviceD0,
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
import { MAX_CHANNELS, type Engine } from './device';
import { createEngine, type EngineOptions } from './engine';

export interface DriverOptions extends EngineOptions {
  readonly friendlyName: string;
}

export function createDriver(k: KernelServices, opts: DriverOptions): DRIVER_INITIALIZE {
  const ops = createEngine(k, opts);
  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['engine'] as Engine;

  // ------------------------------------------------------------------------------ IRP helpers

  /** Sends the IRP down and waits until the lower drivers completed it (handled on the way up, F103). */
  const forwardAndWait = (dev: Engine, irp: IRP): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    const st = k.IoCallDriver(dev.lower, irp);
    if (st === STATUS_PENDING) {
      k.KeWaitForSingleObject(ev, 0, 0, false, null);
      return irp.IoStatus.Status;
    }
    return irp.IoStatus.Status;
  };
  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Passes the IRP down; `success` sets STATUS_SUCCESS first (an IRP this driver handled). */
  const passDown = (dev: Engine, irp: IRP, success: boolean): NTSTATUS => {
    if (success) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.lower, irp);
  };
  const announce = (dev: Engine, code: number) => {
    if (dev.notify && dev.handle) {
      dev.notify(dev.handle, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
    }
  };

  // ------------------------------------------------------------------------------ provider start / stop

  /** NetDmaProviderStop first (it waits for outstanding DMA and frees every channel, F11d, F122), then the hardware goes. */
  const stopAll = (dev: Engine) => {
    if (dev.providerStarted && dev.handle) {
      k.NetDmaProviderStop(dev.handle);
      dev.providerStarted = false;
    }
    dev.announcedDown = false;
    ops.tearDown(dev);
  };

  const startDevice = (dev: Engine, irp: IRP): NTSTATUS => {
    const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
    // A START to a started device brings new resources: the provider stops on the old ones first.
    if (dev.providerStarted || dev.bar !== null) stopAll(dev);
    const lowerSt = forwardAndWait(dev, irp);
    if (!NT_SUCCESS(lowerSt)) return complete(irp, lowerSt); // a START failed below is not continued (F105)
    if (!res || !dev.handle) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    const up = ops.bringUp(dev, res.AllocatedResourcesTranslated);
    if (!NT_SUCCESS(up.st) || !up.attrs) return complete(irp, NT_SUCCESS(up.st) ? STATUS_UNSUCCESSFUL : up.st);
    dev.lostContext = false;
    // NetDMA may allocate channels from inside NetDmaProviderStart: ready before the call (F10b).
    dev.providerStarted = true;
    k.NetDmaProviderStart(dev.handle, up.attrs);
    return complete(irp, STATUS_SUCCESS);
  };

  /** With MSI-X, point each channel's message at the CPU NetDMA asked for (F47, F52), in every alternative list. */
  const applyAffinities = (dev: Engine, list: IO_RESOURCE_REQUIREMENTS_LIST): boolean => {
    const wanted = dev.affinities;
    if (!wanted || wanted.size === 0) return false;
    const cpus = k.KeQueryActiveProcessorCount();
    let changed = false;
    for (const alt of list.List) {
      let message = 0;
      for (const d of alt.Descriptors) {
        if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
        const cpu = wanted.get(message++);
        if (cpu === undefined || cpu < 0 || cpu >= cpus || cpu >= 64) continue;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
        changed = true;
      }
    }
    return changed;
  };

  const filterRequirements = (dev: Engine, irp: IRP): NTSTATUS => {
    // No affinities (no MSI-X, or NetDMA set none): not handled, down unchanged.
    if (!dev.affinities || dev.affinities.size === 0) return passDown(dev, irp, false);
    const st = forwardAndWait(dev, irp);
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null | undefined;
    // The bus driver leaves the IRP as it found it; a real error from below is kept.
    if ((NT_SUCCESS(st) || st === STATUS_NOT_SUPPORTED) && list && applyAffinities(dev, list)) return complete(irp, STATUS_SUCCESS);
    return complete(irp, st);
  };

  // ------------------------------------------------------------------------------ paging path (1.0 providers, F51)

  const inSpecialPath = (dev: Engine) => dev.specialFiles.some((n) => n > 0);
  const usageNotification = (dev: Engine, irp: IRP): NTSTATUS => {
    // Only a 1.0 provider, which cannot announce power changes, takes part (F51); others pass it down untouched.
    if (dev.version !== 0x100) return passDown(dev, irp, false);
    const u = k.IoGetCurrentIrpStackLocation(irp).Parameters.UsageNotification;
    if (!u || u.Type < DeviceUsageTypePaging || u.Type > DeviceUsageTypeDumpFile) return passDown(dev, irp, false);
    const pagable = dev.fdo.Flags & DO_POWER_PAGABLE;
    if (u.InPath && u.Type === DeviceUsageTypePaging) dev.fdo.Flags &= ~DO_POWER_PAGABLE; // paging device: power IRPs without paging
    irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    if (k.IoCallDriver(dev.lower, irp) === STATUS_PENDING) k.KeWaitForSingleObject(ev, 0, 0, false, null);
    const st = irp.IoStatus.Status;
    if (NT_SUCCESS(st)) {
      dev.specialFiles[u.Type] = Math.max(0, (dev.specialFiles[u.Type] ?? 0) + (u.InPath ? 1 : -1));
    } else {
      dev.fdo.Flags |= pagable; // refused below: as it was
    }
    return complete(irp, st);
  };

  // ------------------------------------------------------------------------------ dispatch routines

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    switch (minor) {
      case IRP_MN_START_DEVICE:
        return startDevice(dev, irp);
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS:
        return filterRequirements(dev, irp);
      case IRP_MN_QUERY_STOP_DEVICE:
      case IRP_MN_QUERY_REMOVE_DEVICE:
        // A device on the paging, hibernation or dump path may neither stop nor go (F108, F111).
        if (inSpecialPath(dev)) return complete(irp, STATUS_UNSUCCESSFUL);
        return passDown(dev, irp, true);
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        forwardAndWait(dev, irp);
        return complete(irp, STATUS_SUCCESS); // never failed (F109, F112)
      case IRP_MN_STOP_DEVICE:
        stopAll(dev);
        return passDown(dev, irp, true);
      case IRP_MN_SURPRISE_REMOVAL:
        stopAll(dev);
        return passDown(dev, irp, true);
      case IRP_MN_REMOVE_DEVICE: {
        stopAll(dev);
        if (dev.handle) k.NetDmaDeregisterProvider(dev.handle); // after NetDmaProviderStop, before IoDeleteDevice (F123)
        dev.handle = null;
        k.IoFreeWorkItem(dev.workItem);
        const st = passDown(dev, irp, true);
        k.IoDetachDevice(dev.lower);
        k.IoDeleteDevice(dev.fdo);
        return st;
      }
      case IRP_MN_DEVICE_USAGE_NOTIFICATION:
        return usageNotification(dev, irp);
      default:
        return passDown(dev, irp, false); // not handled: down untouched
    }
  };

  const finishD0 = (dev: Engine, irp: IRP) => {
    if (NT_SUCCESS(irp.IoStatus.Status)) {
      // Re-initialize the engine before anyone restarts a channel on it (F39, F51).
      if (dev.lostContext && dev.bar !== null) ops.restore(dev);
      dev.lostContext = false;
      if (dev.announcedDown && dev.providerStarted) announce(dev, NetDmaNotificationProviderPowerUp); // back in D0 (F50)
      dev.announcedDown = false;
    }
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
  };

  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const p = sl.Parameters.Power;
    if (sl.MinorFunction !== IRP_MN_SET_POWER || !p || p.Type !== DevicePowerState) {
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(dev.lower, irp);
    }
    if (p.State.DeviceState !== PowerDeviceD0) {
      // Before the device leaves the working state (F50).
      if (dev.providerStarted && dev.notify && !dev.announcedDown) {
        announce(dev, NetDmaNotificationProviderPowerDown);
        dev.announcedDown = true;
      }
      dev.lostContext = true;
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(dev.lower, irp);
    }
    // Back to D0: finished on the way up, at PASSIVE_LEVEL in a work item; never waits here.
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, () => {
      k.IoQueueWorkItem(dev.workItem, () => finishD0(dev, irp), DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(dev.lower, irp);
    return STATUS_PENDING;
  };

  /** Every other IRP: this driver does not handle it and passes it down untouched. */
  const DispatchPassThrough: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.lower, irp);
  };

  // ------------------------------------------------------------------------------ AddDevice / DriverEntry / Unload

  /** The provider version to register: the interface's (NetDmaGetVersion, 1.1 and later), at most 2.0. */
  const providerVersion = (): number => {
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    if (typeof getVersion !== 'function') return 0x100;
    const v = getVersion() >>> 0;
    const major = v >>> 16;
    const minor = v & 0xffff;
    if (major > 2 || (major === 2 && minor > 0)) return 0x200;
    if (major < 1) return 0x100;
    return (major << 8) | Math.min(minor, 0xff);
  };

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
    const workItem = k.IoAllocateWorkItem(fdo);
    if (!workItem) {
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const version = providerVersion();
    const notify = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const lock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(lock);
    const dev: Engine = {
      fdo, pdo, lower, version, notify: typeof notify === 'function' ? notify : null, lock, workItem,
      handle: null, providerStarted: false, announcedDown: false, lostContext: false, affinities: null, specialFiles: [0, 0, 0, 0],
      bar: null, barLength: 0, msgTable: null, lineObject: null, messageMode: false, perChannelMessages: false,
      nChannels: 0, msgCpu: [], reserved: [], slots: [], maxTransferSize: 0, scratchVa: null, scratchPa: 0n,
    };
    fdo.DeviceExtension['engine'] = dev;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0, // no DCA
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...ops.handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString(opts.friendlyName) } : {}),
    };
    // The affinity handler may run inside this call (F8e): `dev` is complete before it.
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(dev, handle, chars);
    if (!NT_SUCCESS(st) || !handle.value) {
      k.IoFreeWorkItem(workItem);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return NT_SUCCESS(st) ? STATUS_UNSUCCESSFUL : st;
    }
    dev.handle = handle.value;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    // DriverEntry allocated nothing; every per-device resource went at REMOVE.
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver) => {
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) {
      // Creates are not supported (no name, no interface): the I/O manager's default fails them.
      if (mj === IRP_MJ_CREATE || mj === IRP_MJ_CLOSE || mj === IRP_MJ_CLEANUP) continue;
      driver.MajorFunction[mj] = DispatchPassThrough;
    }
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
