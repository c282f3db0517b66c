/**
 * pool2-lockfree: DriverEntry, AddDevice (NetDMA registration), the PnP and power dispatch routines
 * and a pass-through for every other major function, with a remove lock.
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DO_POWER_PAGABLE,
  DelayedWorkQueue,
  DevicePowerState,
  DeviceUsageTypeDumpFile,
  DeviceUsageTypeHibernation,
  DeviceUsageTypePaging,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IO_NO_INCREMENT,
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
  NETDMA_VERSION_1_0,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NotificationEvent,
  POOL_FLAG_NON_PAGED,
  PowerDeviceD0,
  STATUS_DELETE_PENDING,
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
  type IO_REMOVE_LOCK,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { MAX_CHANNELS, Pnp, TAG, createEngine, type Dev } from './engine';

export function createDriver(k: KernelServices): DRIVER_INITIALIZE {
  const engine = createEngine(k);
  /** DriverEntry's copy of the registry path (F43), freed by Unload. */
  let globals: Uint8Array | null = null;

  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['dev'] as Dev;

  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Sends the IRP down and waits for the lower drivers to finish it (F103: handled on the way up). */
  const forwardAndWait = (dev: Dev, irp: IRP): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, IO_NO_INCREMENT, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    const st = k.IoCallDriver(dev.lower, irp);
    if (st === STATUS_PENDING) k.KeWaitForSingleObject(ev, 0, 0, false, null);
    return irp.IoStatus.Status;
  };
  const skipDown = (dev: Dev, irp: IRP): NTSTATUS => {
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.lower, irp);
  };
  const announce = (dev: Dev, code: number) => {
    if (dev.notify && dev.provider) {
      dev.notify(dev.provider, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
    }
  };
  /** NetDmaProviderStop (it frees every channel, F11d) while the hardware still works, then release it (F122). */
  const stopAll = (dev: Dev) => {
    if (dev.running && dev.provider) {
      k.NetDmaProviderStop(dev.provider);
      dev.running = false;
    }
    engine.tearDown(dev);
  };

  /** With MSI-X, point message i at the CPU NetDMA asked for channel i (F47, F52), in place. */
  const applyAffinities = (dev: Dev, list: IO_RESOURCE_REQUIREMENTS_LIST): boolean => {
    if (!dev.wantedCpu || dev.wantedCpu.size === 0) return false;
    let changed = false;
    for (let a = 0; a < list.AlternativeLists && a < list.List.length; a++) {
      let message = 0;
      for (const d of list.List[a]!.Descriptors) {
        if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
        const cpu = dev.wantedCpu.get(message++);
        if (cpu === undefined || cpu < 0 || cpu > 63) continue;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
        changed = true;
      }
    }
    return changed;
  };

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) return complete(irp, lk);
    const done = (st: NTSTATUS) => {
      k.IoReleaseRemoveLock(dev.removeLock, irp);
      return st;
    };
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        // A START on a started device brings new resources: give the old ones back first.
        if (dev.bar !== null || dev.running) stopAll(dev);
        const lower = forwardAndWait(dev, irp);
        if (!NT_SUCCESS(lower)) return done(complete(irp, lower)); // F105
        const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
        if (!res || !dev.provider) return done(complete(irp, STATUS_DEVICE_NOT_READY));
        const up = engine.bringUp(dev, res.AllocatedResourcesTranslated);
        if (!NT_SUCCESS(up.st) || !up.attrs) return done(complete(irp, NT_SUCCESS(up.st) ? STATUS_DEVICE_NOT_READY : up.st));
        dev.needsRestore = false;
        dev.running = true; // NetDMA may allocate channels from inside NetDmaProviderStart
        k.NetDmaProviderStart(dev.provider, up.attrs);
        dev.pnp = Pnp.Started;
        return done(complete(irp, STATUS_SUCCESS));
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = forwardAndWait(dev, irp);
        const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null | undefined;
        // Handled on the way up; a lower driver's failure is left as it is.
        if ((NT_SUCCESS(st) || st === STATUS_NOT_SUPPORTED) && list && applyAffinities(dev, list)) return done(complete(irp, STATUS_SUCCESS));
        return done(complete(irp, st));
      }
      case IRP_MN_DEVICE_USAGE_NOTIFICATION: {
        const un = k.IoGetCurrentIrpStackLocation(irp).Parameters.UsageNotification;
        const type = un?.Type ?? -1;
        if (!un || (type !== DeviceUsageTypePaging && type !== DeviceUsageTypeHibernation && type !== DeviceUsageTypeDumpFile)) return done(skipDown(dev, irp));
        // A device holding a paging file must not have pageable power code.
        const pagable = (dev.self.Flags & DO_POWER_PAGABLE) !== 0;
        if (type === DeviceUsageTypePaging && un.InPath && dev.specialFiles[type] === 0) dev.self.Flags &= ~DO_POWER_PAGABLE;
        const st = forwardAndWait(dev, irp);
        if (NT_SUCCESS(st)) {
          dev.specialFiles[type] = Math.max(0, (dev.specialFiles[type] ?? 0) + (un.InPath ? 1 : -1));
          if (type === DeviceUsageTypePaging && !un.InPath && dev.specialFiles[type] === 0) dev.self.Flags |= DO_POWER_PAGABLE;
        } else if (pagable) {
          dev.self.Flags |= DO_POWER_PAGABLE;
        }
        return done(complete(irp, st));
      }
      case IRP_MN_QUERY_STOP_DEVICE:
      case IRP_MN_QUERY_REMOVE_DEVICE: {
        // In the path of a paging, hibernation or dump file: must be failed, not passed down (F108, F111).
        if (dev.specialFiles.some((n) => n > 0)) return done(complete(irp, STATUS_UNSUCCESSFUL));
        // Otherwise the resources can always be given back.
        if (dev.pnp !== Pnp.StopPending && dev.pnp !== Pnp.RemovePending) dev.beforeQuery = dev.pnp;
        dev.pnp = minor === IRP_MN_QUERY_STOP_DEVICE ? Pnp.StopPending : Pnp.RemovePending;
        irp.IoStatus.Status = STATUS_SUCCESS;
        return done(skipDown(dev, irp));
      }
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE: {
        forwardAndWait(dev, irp);
        const pending = minor === IRP_MN_CANCEL_STOP_DEVICE ? Pnp.StopPending : Pnp.RemovePending;
        if (dev.pnp === pending) dev.pnp = dev.beforeQuery;
        return done(complete(irp, STATUS_SUCCESS)); // never failed (F109, F112)
      }
      case IRP_MN_STOP_DEVICE:
        stopAll(dev);
        dev.pnp = Pnp.Stopped;
        irp.IoStatus.Status = STATUS_SUCCESS;
        return done(skipDown(dev, irp));
      case IRP_MN_SURPRISE_REMOVAL:
        stopAll(dev); // the hardware is gone or going: release it (F114, A13)
        dev.pnp = Pnp.SurpriseRemoved;
        irp.IoStatus.Status = STATUS_SUCCESS;
        return done(skipDown(dev, irp));
      case IRP_MN_REMOVE_DEVICE: {
        stopAll(dev);
        dev.pnp = Pnp.Removed;
        // Wait for every IRP we passed down to come back before the stack goes.
        k.IoReleaseRemoveLockAndWait(dev.removeLock, irp);
        if (dev.provider) k.NetDmaDeregisterProvider(dev.provider); // after NetDmaProviderStop (F9)
        dev.provider = null;
        k.IoFreeWorkItem(dev.workItem);
        k.ExFreePool(dev.ctxBlock);
        irp.IoStatus.Status = STATUS_SUCCESS;
        const st = skipDown(dev, irp);
        k.IoDetachDevice(dev.lower);
        k.IoDeleteDevice(dev.self);
        return st;
      }
      default:
        return done(skipDown(dev, irp)); // not ours: down, untouched
    }
  };

  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) {
      k.PoStartNextPowerIrp(irp);
      return complete(irp, lk);
    }
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const p = sl.Parameters.Power;
    const passDown = () => {
      k.PoStartNextPowerIrp(irp);
      k.IoSkipCurrentIrpStackLocation(irp);
      const st = k.PoCallDriver(dev.lower, irp);
      k.IoReleaseRemoveLock(dev.removeLock, irp);
      return st;
    };
    if (sl.MinorFunction !== IRP_MN_SET_POWER || !p || p.Type !== DevicePowerState) return passDown();
    if (p.State.DeviceState !== PowerDeviceD0) {
      // Leaving D0: PowerDown first (F50), then the engine loses its registers.
      if (dev.running && !dev.announcedDown && dev.notify) {
        announce(dev, NetDmaNotificationProviderPowerDown);
        dev.announcedDown = true;
      }
      dev.needsRestore = true;
      k.PoSetPowerState(dev.self, DevicePowerState, { DeviceState: p.State.DeviceState });
      return passDown();
    }
    // Back to D0: finish once the bus driver has powered the device, at PASSIVE_LEVEL (work item).
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, () => {
      k.IoQueueWorkItem(dev.workItem, () => {
        if (NT_SUCCESS(irp.IoStatus.Status)) {
          k.PoSetPowerState(dev.self, DevicePowerState, { DeviceState: PowerDeviceD0 });
          if (dev.needsRestore && dev.bar !== null) engine.restore(dev); // before NetDMA restarts channels (F39, F51)
          dev.needsRestore = false;
          if (dev.announcedDown && dev.provider) {
            announce(dev, NetDmaNotificationProviderPowerUp);
            dev.announcedDown = false;
          }
        }
        k.PoStartNextPowerIrp(irp);
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
        k.IoReleaseRemoveLock(dev.removeLock, irp);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(dev.lower, irp);
    return STATUS_PENDING;
  };

  /** Every other major function: not ours to handle, so down the stack untouched (creates only once started). */
  const DispatchOther: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    if (sl.MajorFunction === IRP_MJ_CREATE && dev.pnp !== Pnp.Started) {
      const removing = dev.pnp === Pnp.RemovePending || dev.pnp === Pnp.SurpriseRemoved || dev.pnp === Pnp.Removed;
      irp.IoStatus.Information = 0;
      return complete(irp, removing ? STATUS_DELETE_PENDING : STATUS_DEVICE_NOT_READY);
    }
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) return complete(irp, lk);
    const st = skipDown(dev, irp);
    k.IoReleaseRemoveLock(dev.removeLock, irp);
    return st;
  };

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    let st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(st) || !out.value) return NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st;
    const self = out.value;
    const lower = k.IoAttachDeviceToDeviceStack(self, pdo);
    if (!lower) {
      k.IoDeleteDevice(self);
      return STATUS_NO_SUCH_DEVICE;
    }
    const ctxBlock = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, TAG);
    const workItem = ctxBlock ? k.IoAllocateWorkItem(self) : null;
    if (!ctxBlock || !workItem) {
      if (ctxBlock) k.ExFreePool(ctxBlock);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const removeLock: IO_REMOVE_LOCK = {};
    k.IoInitializeRemoveLock(removeLock, TAG, 0, 0);
    // NetDmaGetVersion and NetDmaPnPEventNotify exist from 1.1 on: looked up, never imported (F14a, F15a).
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() >>> 0 : NETDMA_VERSION_1_0;
    const ifaceVersion = ((iface >>> 16) << 8) | (iface & 0xff);
    const version = Math.min(ifaceVersion, 0x200); // never above the interface (F14b)
    const notify = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const dev: Dev = {
      self, pdo, lower, version, notify, ctxBlock, workItem, removeLock,
      specialFiles: [0, 0, 0, 0],
      provider: null, running: false, pnp: Pnp.NotStarted, beforeQuery: Pnp.NotStarted, announcedDown: false, needsRestore: false, wantedCpu: null,
      bar: null, barLength: 0, msgTable: null, lineObject: null, messageMode: false, shared: true, nChannels: 0, msgCpu: [], claim: [], chans: [],
    };
    self.DeviceExtension['dev'] = dev;
    self.Flags |= DO_POWER_PAGABLE; // power IRPs at PASSIVE_LEVEL: NetDmaPnPEventNotify needs it
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...engine.handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString('pool2-lockfree I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(dev, handle, chars); // may call SetDmaChannelCpuAffinity from inside (F8e)
    if (!NT_SUCCESS(st) || !handle.value) {
      k.IoFreeWorkItem(workItem);
      k.ExFreePool(ctxBlock);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st;
    }
    dev.provider = handle.value;
    self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (globals) k.ExFreePool(globals);
    globals = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, path) => {
    const copy = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, Math.max(2, path.Length + 2), TAG);
    if (!copy) return STATUS_INSUFFICIENT_RESOURCES;
    for (let i = 0; i < path.Buffer.length && 2 * i + 1 < copy.length; i++) {
      const u = path.Buffer.charCodeAt(i);
      copy[2 * i] = u & 0xff;
      copy[2 * i + 1] = u >> 8;
    }
    globals = copy;
    driver.DriverExtension.AddDevice = AddDevice;
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) driver.MajorFunction[mj] = DispatchOther;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
