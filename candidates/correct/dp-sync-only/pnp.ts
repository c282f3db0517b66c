/** dp-sync-only: DriverEntry, AddDevice, PnP and power dispatch, Unload. */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DO_POWER_PAGABLE,
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
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NonPagedPoolNx,
  NotificationEvent,
  PowerDeviceD0,
  STATUS_CONTINUE_COMPLETION,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NO_SUCH_DEVICE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type DEVICE_OBJECT,
  type DRIVER_ADD_DEVICE,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DRIVER_UNLOAD,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { providerHandlers } from './channels';
import { restoreContext } from './engine';
import { MAX_CHANNELS, TAG, engineOf, type Engine } from './ext';
import { releaseEngine, startEngine, stopEngine } from './hardware';
import { interruptRoutines } from './isr';

export function driverImage(k: KernelServices): DRIVER_INITIALIZE {
  const irqs = interruptRoutines(k);
  const handlers = providerHandlers(k, irqs.deferred);
  let pathCopy: Uint8Array | null = null;

  const passDown = (e: Engine, irp: IRP, success: boolean): NTSTATUS => {
    if (success) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(e.lower, irp);
  };
  const finish = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Sends the IRP down and waits for the lower drivers (bottom-up IRPs, F103). */
  const lowerFirst = (e: Engine, irp: IRP): NTSTATUS => {
    const done: KEVENT = {};
    k.KeInitializeEvent(done, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _irp, ctx) => {
      k.KeSetEvent(ctx as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, done, true, true, true);
    if (k.IoCallDriver(e.lower, irp) === STATUS_PENDING) k.KeWaitForSingleObject(done, 0, 0, false, null);
    return irp.IoStatus.Status;
  };
  const notify = (e: Engine, code: number): void => {
    if (e.notify && e.handle) {
      e.notify(e.handle, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
    }
  };

  /** MSI-X message i serves channel i: ask for the CPU NetDMA gave that channel (F47, F52). */
  const targetMessages = (e: Engine, irp: IRP): void => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (!e.affinity || !list) return;
    let msg = 0;
    for (const d of list.List[0].Descriptors) {
      if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
      const cpu = e.affinity[msg++];
      if (cpu === undefined || cpu >= 64) continue;
      d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
      d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
      d.u.Interrupt.Group = 0;
    }
  };

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const e = engineOf(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    switch (sl.MinorFunction) {
      case IRP_MN_START_DEVICE: {
        const st = lowerFirst(e, irp);
        if (!NT_SUCCESS(st)) return finish(irp, st);
        const res = sl.Parameters.StartDevice?.AllocatedResourcesTranslated;
        return finish(irp, res ? startEngine(k, e, res, irqs) : STATUS_INSUFFICIENT_RESOURCES);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = lowerFirst(e, irp);
        if (NT_SUCCESS(st)) targetMessages(e, irp);
        return finish(irp, st);
      }
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        lowerFirst(e, irp);
        return finish(irp, STATUS_SUCCESS);
      case IRP_MN_QUERY_STOP_DEVICE:
      case IRP_MN_QUERY_REMOVE_DEVICE:
        return passDown(e, irp, true);
      case IRP_MN_STOP_DEVICE:
      case IRP_MN_SURPRISE_REMOVAL:
        stopEngine(k, e);
        return passDown(e, irp, true);
      case IRP_MN_REMOVE_DEVICE: {
        stopEngine(k, e);
        if (e.handle) k.NetDmaDeregisterProvider(e.handle);
        e.handle = null;
        k.IoFreeWorkItem(e.workItem);
        const st = passDown(e, irp, true);
        k.IoDetachDevice(e.lower);
        k.IoDeleteDevice(e.fdo);
        return st;
      }
      default:
        return passDown(e, irp, false);
    }
  };

  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const e = engineOf(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const p = sl.Parameters.Power;
    if (sl.MinorFunction !== IRP_MN_SET_POWER || !p || p.Type !== DevicePowerState) {
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(e.lower, irp);
    }
    if (p.State.DeviceState !== PowerDeviceD0) {
      // Clients stop posting before the engine leaves D0 (F50).
      if (e.started && !e.notifiedDown && e.notify) {
        notify(e, NetDmaNotificationProviderPowerDown);
        e.notifiedDown = true;
      }
      if (e.bar !== null) e.contextLost = true;
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(e.lower, irp);
    }
    // Back to D0, handled on the way up. The engine is re-programmed right in the completion
    // routine (register access is fine at DISPATCH_LEVEL); only the PowerUp notification, which
    // needs PASSIVE_LEVEL, goes to a work item.
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, done) => {
      const ok = NT_SUCCESS(done.IoStatus.Status);
      if (ok && e.contextLost) {
        restoreContext(k, e);
        e.contextLost = false;
      }
      if (!ok || !e.notifiedDown) return STATUS_CONTINUE_COMPLETION;
      k.IoQueueWorkItem(e.workItem, () => {
        e.notifiedDown = false;
        notify(e, NetDmaNotificationProviderPowerUp);
        k.IoCompleteRequest(done, IO_NO_INCREMENT);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(e.lower, irp);
    return STATUS_PENDING;
  };

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    const created = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(created)) return created;
    const fdo = out.value!;
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
    // NetDmaGetVersion is looked up, never imported (F14a); register at most 2.0.
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() >>> 0 : 0x0001_0000;
    const version = Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notifyFn = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const e: Engine = {
      fdo, pdo, lower, version, notify: notifyFn, workItem, handle: null, affinity: null, started: false,
      notifiedDown: false, contextLost: false, bar: null, barLength: 0, messages: null, line: null,
      channelCount: 0, messageCpu: [], slots: [],
    };
    fdo.DeviceExtension['dpEngine'] = e;
    const two = version >= 0x200;
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    const st = k.NetDmaRegisterProvider(e, handle, {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: two ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0, // no DCA: it is optional (F40)
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...handlers,
      ...(two ? { FriendlyName: k.RtlInitUnicodeString('dp-sync-only I/OAT-class copy engine') } : {}),
    });
    if (!NT_SUCCESS(st)) {
      releaseEngine(k, e);
      k.IoFreeWorkItem(workItem);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return st;
    }
    e.handle = handle.value!;
    fdo.Flags |= DO_POWER_PAGABLE;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (pathCopy) k.ExFreePoolWithTag(pathCopy, TAG);
    pathCopy = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, registryPath) => {
    // Keep our own copy of the registry path: the system frees its buffer after return (F43).
    pathCopy = k.ExAllocatePoolWithTag(NonPagedPoolNx, registryPath.Length + 2, TAG);
    if (!pathCopy) return STATUS_INSUFFICIENT_RESOURCES;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
