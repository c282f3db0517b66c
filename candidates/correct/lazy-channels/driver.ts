/**
 * The WDM side of the lazy-channels provider: DriverEntry, AddDevice (NetDMA registration), the
 * PnP, power and pass-through dispatch routines, Unload. Every IRP is held by the device's remove
 * lock while the driver works on it.
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_BUFFERED_IO,
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
  NonPagedPoolNx,
  NotificationEvent,
  PASSIVE_LEVEL,
  PowerDeviceD0,
  STATUS_DELETE_PENDING,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NOT_SUPPORTED,
  STATUS_NO_SUCH_DEVICE,
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
  type KDPC,
  type KEVENT,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { createEngine } from './engine';
import {
  MAX_CHANNELS,
  PNP_NOT_STARTED,
  PNP_REMOVED,
  PNP_REMOVE_PENDING,
  PNP_STARTED,
  PNP_STOPPED,
  PNP_STOP_PENDING,
  PNP_SURPRISE_REMOVED,
  POOL_TAG,
  PROVIDER_CONTEXT_BYTES,
  type DpcContext,
  type Engine,
} from './types';

export const FRIENDLY_NAME = 'Lazy-channel I/OAT NetDMA provider';

export function createDriver(k: KernelServices): DRIVER_INITIALIZE {
  const ops = createEngine(k);
  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['engine'] as Engine;

  // ------------------------------------------------------------ IRP helpers

  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Passes the IRP down untouched (or with STATUS_SUCCESS when `success`) and drops this IRP's remove lock. */
  const passDown = (dev: Engine, irp: IRP, success: boolean): NTSTATUS => {
    if (success) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    const st = k.IoCallDriver(dev.lower, irp);
    k.IoReleaseRemoveLock(dev.removeLock, irp);
    return st;
  };
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
    return st;
  };
  const completeAndRelease = (dev: Engine, irp: IRP, st: NTSTATUS): NTSTATUS => {
    complete(irp, st);
    k.IoReleaseRemoveLock(dev.removeLock, irp);
    return st;
  };

  const notify = (dev: Engine, code: number) => {
    if (dev.notify && dev.provider) {
      dev.notify(dev.provider, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
    }
  };

  // ------------------------------------------------------------ START / STOP

  /** NetDmaProviderStop (NetDMA frees every channel meanwhile, ISR and DPC still working), then the hardware goes. */
  const stopAll = (dev: Engine) => {
    if (dev.providerStarted && dev.provider) {
      k.NetDmaProviderStop(dev.provider);
      dev.providerStarted = false;
    }
    ops.tearDown(dev);
  };

  const startDevice = (dev: Engine, irp: IRP): NTSTATUS => {
    const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
    const up = ops.bringUp(dev, res?.AllocatedResourcesTranslated);
    if (!NT_SUCCESS(up.st) || !up.attrs) return up.st;
    // The PnP manager has the device in D0 for START.
    dev.inD0 = true;
    dev.needsRestore = false;
    dev.providerStarted = true;
    k.NetDmaProviderStart(dev.provider!, up.attrs); // every channel is ready to be allocated (F10)
    return STATUS_SUCCESS;
  };

  /** With MSI-X, point each channel's message at the CPU NetDMA asked for (F47, F52), in every alternative list. */
  const applyAffinities = (dev: Engine, list: IO_RESOURCE_REQUIREMENTS_LIST): boolean => {
    if (!dev.affinities || dev.affinities.size === 0) return false;
    let changed = false;
    for (const alt of list.List) {
      let message = 0;
      for (const d of alt.Descriptors) {
        if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
        const cpu = dev.affinities.get(message++);
        if (cpu === undefined) continue;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
        changed = true;
      }
    }
    return changed;
  };

  // ------------------------------------------------------------ paging path (a 1.0 provider, F51)

  const inSpecialPath = (dev: Engine) => dev.specialFiles.some((n) => n > 0);
  const usageNotification = (dev: Engine, irp: IRP): NTSTATUS => {
    if (dev.version !== 0x100) return passDown(dev, irp, false);
    const u = k.IoGetCurrentIrpStackLocation(irp).Parameters.UsageNotification;
    const type = u?.Type ?? -1;
    if (!u || (type !== DeviceUsageTypePaging && type !== DeviceUsageTypeHibernation && type !== DeviceUsageTypeDumpFile)) return passDown(dev, irp, false);
    // A device on the paging path is powered without paging: DO_POWER_PAGABLE goes first.
    const pagable = dev.self.Flags & DO_POWER_PAGABLE;
    if (u.InPath && type === DeviceUsageTypePaging) dev.self.Flags &= ~DO_POWER_PAGABLE;
    irp.IoStatus.Status = STATUS_SUCCESS;
    const st = forwardAndWait(dev, irp);
    if (NT_SUCCESS(st)) dev.specialFiles[type] = Math.max(0, dev.specialFiles[type]! + (u.InPath ? 1 : -1));
    else dev.self.Flags |= pagable;
    return completeAndRelease(dev, irp, st);
  };

  // ------------------------------------------------------------ IRP_MJ_PNP

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) return complete(irp, lk);
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        // START to a started device brings new resources: the old ones go first.
        if (dev.providerStarted || dev.bar !== null) stopAll(dev);
        let st = forwardAndWait(dev, irp);
        if (NT_SUCCESS(st)) st = startDevice(dev, irp);
        if (NT_SUCCESS(st)) dev.pnpState = PNP_STARTED;
        return completeAndRelease(dev, irp, st);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = forwardAndWait(dev, irp);
        if (!NT_SUCCESS(st) && st !== STATUS_NOT_SUPPORTED) return completeAndRelease(dev, irp, st);
        const list = (irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null) ??
          k.IoGetCurrentIrpStackLocation(irp).Parameters.FilterResourceRequirements?.IoResourceRequirementList ?? null;
        if (list && applyAffinities(dev, list)) {
          irp.IoStatus.Information = list;
          return completeAndRelease(dev, irp, STATUS_SUCCESS);
        }
        return completeAndRelease(dev, irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
        if (inSpecialPath(dev)) return completeAndRelease(dev, irp, STATUS_UNSUCCESSFUL); // F108
        dev.previousPnpState = dev.pnpState;
        dev.pnpState = PNP_STOP_PENDING;
        return passDown(dev, irp, true);
      case IRP_MN_CANCEL_STOP_DEVICE:
        forwardAndWait(dev, irp);
        if (dev.pnpState === PNP_STOP_PENDING) dev.pnpState = dev.previousPnpState;
        return completeAndRelease(dev, irp, STATUS_SUCCESS); // never failed (F109)
      case IRP_MN_STOP_DEVICE:
        stopAll(dev); // NetDmaProviderStop before the resources go (F122)
        dev.pnpState = PNP_STOPPED;
        return passDown(dev, irp, true);
      case IRP_MN_QUERY_REMOVE_DEVICE:
        if (inSpecialPath(dev)) return completeAndRelease(dev, irp, STATUS_UNSUCCESSFUL); // F111
        dev.previousPnpState = dev.pnpState;
        dev.pnpState = PNP_REMOVE_PENDING;
        return passDown(dev, irp, true);
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        forwardAndWait(dev, irp);
        if (dev.pnpState === PNP_REMOVE_PENDING) dev.pnpState = dev.previousPnpState;
        return completeAndRelease(dev, irp, STATUS_SUCCESS); // never failed (F112)
      case IRP_MN_SURPRISE_REMOVAL:
        dev.pnpState = PNP_SURPRISE_REMOVED;
        stopAll(dev); // hardware released now (F114); deregistration waits for REMOVE
        return passDown(dev, irp, true);
      case IRP_MN_REMOVE_DEVICE: {
        dev.pnpState = PNP_REMOVED;
        // Wait for every other IRP this driver is still working on, then undo START and AddDevice.
        k.IoReleaseRemoveLockAndWait(dev.removeLock, irp);
        stopAll(dev);
        if (dev.provider) k.NetDmaDeregisterProvider(dev.provider);
        dev.provider = null;
        for (const dpc of dev.dpcs) k.KeRemoveQueueDpc(dpc);
        k.IoFreeWorkItem(dev.powerWorkItem);
        k.ExFreePoolWithTag(dev.providerContext, POOL_TAG);
        irp.IoStatus.Status = STATUS_SUCCESS;
        k.IoSkipCurrentIrpStackLocation(irp);
        const st = k.IoCallDriver(dev.lower, irp);
        k.IoDetachDevice(dev.lower);
        k.IoDeleteDevice(dev.self);
        return st;
      }
      case IRP_MN_DEVICE_USAGE_NOTIFICATION:
        return usageNotification(dev, irp);
      default:
        return passDown(dev, irp, false); // not ours: down untouched
    }
  };

  // ------------------------------------------------------------ IRP_MJ_POWER

  /** Back in D0 (PASSIVE_LEVEL, work item): re-program the engine, then announce PowerUp (F50, F51). */
  const finishD0 = (dev: Engine, irp: IRP) => {
    if (NT_SUCCESS(irp.IoStatus.Status)) {
      k.PoSetPowerState(dev.self, DevicePowerState, { DeviceState: PowerDeviceD0 });
      dev.inD0 = true;
      if (dev.needsRestore) ops.restore(dev);
      dev.needsRestore = false;
      if (dev.announcedDown) {
        notify(dev, NetDmaNotificationProviderPowerUp);
        dev.announcedDown = false;
      }
    }
    k.PoStartNextPowerIrp(irp);
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    k.IoReleaseRemoveLock(dev.removeLock, irp);
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
    if (sl.MinorFunction === IRP_MN_SET_POWER && p && p.Type === DevicePowerState) {
      const target = p.State.DeviceState;
      if (target !== PowerDeviceD0) {
        if (dev.inD0) {
          // Announce PowerDown before the device leaves D0 (F50); only at PASSIVE_LEVEL (DO_POWER_PAGABLE).
          if (dev.providerStarted && dev.notify && !dev.announcedDown && k.KeGetCurrentIrql() === PASSIVE_LEVEL) {
            notify(dev, NetDmaNotificationProviderPowerDown);
            dev.announcedDown = true;
          }
          k.PoSetPowerState(dev.self, DevicePowerState, { DeviceState: target });
          dev.inD0 = false;
          dev.needsRestore = true; // the registers are lost outside D0
        }
        k.PoStartNextPowerIrp(irp);
        k.IoSkipCurrentIrpStackLocation(irp);
        const st = k.PoCallDriver(dev.lower, irp);
        k.IoReleaseRemoveLock(dev.removeLock, irp);
        return st;
      }
      // D0: finish on the way up, at PASSIVE_LEVEL in a work item; never wait in the dispatch routine.
      k.IoMarkIrpPending(irp);
      k.IoCopyCurrentIrpStackLocationToNext(irp);
      k.IoSetCompletionRoutine(irp, () => {
        k.IoQueueWorkItem(dev.powerWorkItem, () => finishD0(dev, irp), DelayedWorkQueue, null);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }, null, true, true, true);
      k.PoCallDriver(dev.lower, irp);
      return STATUS_PENDING;
    }
    // QUERY_POWER, WAIT_WAKE, POWER_SEQUENCE, system SET_POWER: not ours, down untouched.
    k.PoStartNextPowerIrp(irp);
    k.IoSkipCurrentIrpStackLocation(irp);
    const st = k.PoCallDriver(dev.lower, irp);
    k.IoReleaseRemoveLock(dev.removeLock, irp);
    return st;
  };

  // ------------------------------------------------------------ every other major function

  const DispatchOther: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const major = k.IoGetCurrentIrpStackLocation(irp).MajorFunction;
    if (major === IRP_MJ_CREATE) {
      // No new opens once removal was granted or the device is gone (F111, F114).
      if (dev.pnpState === PNP_REMOVE_PENDING || dev.pnpState === PNP_REMOVED) return complete(irp, STATUS_DELETE_PENDING);
      if (dev.pnpState === PNP_SURPRISE_REMOVED) return complete(irp, STATUS_NO_SUCH_DEVICE);
    }
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) return complete(irp, lk);
    return passDown(dev, irp, false);
  };

  // ------------------------------------------------------------ AddDevice

  const pickVersion = (): number => {
    // NetDmaGetVersion exists from 1.1 on: looked up, never imported (F14a).
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() >>> 0 : NETDMA_VERSION_1_0;
    const major = iface >>> 16;
    const minor = iface & 0xffff;
    if (major >= 2) return 0x200;
    if (major === 1 && minor >= 1) return 0x101;
    return 0x100; // never above the interface (F14b)
  };

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    let st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(st) || !out.value) return NT_SUCCESS(st) ? STATUS_UNSUCCESSFUL : st;
    const self = out.value;
    const lower = k.IoAttachDeviceToDeviceStack(self, pdo);
    if (!lower) {
      k.IoDeleteDevice(self);
      return STATUS_NO_SUCH_DEVICE;
    }
    const providerContext = k.ExAllocatePoolWithTag(NonPagedPoolNx, PROVIDER_CONTEXT_BYTES, POOL_TAG);
    const powerWorkItem = providerContext ? k.IoAllocateWorkItem(self) : null;
    if (!providerContext || !powerWorkItem) {
      if (providerContext) k.ExFreePoolWithTag(providerContext, POOL_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const version = pickVersion();
    const notifyFn = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const dpcs: KDPC[] = [];
    const dpcContexts: DpcContext[] = [];
    const dev: Engine = {
      self, pdo, lower, version, notify: notifyFn,
      removeLock: {}, slotLock: {}, powerWorkItem, providerContext,
      dpcs, dpcContexts, hwRefs: { value: 0 }, hwDrained: {}, hwOpen: false,
      provider: null, providerStarted: false, pnpState: PNP_NOT_STARTED, previousPnpState: PNP_NOT_STARTED,
      specialFiles: [0, 0, 0, 0], affinities: null, inD0: true, needsRestore: false, announcedDown: false,
      bar: null, barLength: 0, messageTable: null, lineInterrupt: null, messageBased: false, perChannelMessages: false,
      nChannels: 0, messageCpu: [], slots: [], reserved: [],
    };
    k.IoInitializeRemoveLock(dev.removeLock, POOL_TAG, 0, 0);
    k.KeInitializeSpinLock(dev.slotLock);
    k.KeInitializeEvent(dev.hwDrained, NotificationEvent, false);
    for (let i = 0; i < MAX_CHANNELS; i++) {
      const dpc: KDPC = {};
      const c: DpcContext = { dev, index: i };
      k.KeInitializeDpc(dpc, ops.dpcRoutine, c);
      dpcs.push(dpc);
      dpcContexts.push(c);
    }
    self.DeviceExtension['engine'] = dev;
    // Power IRPs at PASSIVE_LEVEL: NetDmaPnPEventNotify may only be called there.
    self.Flags |= DO_POWER_PAGABLE | DO_BUFFERED_IO;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0, // no DCA claimed
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...ops.handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString(FRIENDLY_NAME) } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    // The affinity handler may run inside this call: the extension is complete by now (F8e).
    st = k.NetDmaRegisterProvider(dev, handle, chars);
    if (!NT_SUCCESS(st) || !handle.value) {
      k.IoFreeWorkItem(powerWorkItem);
      k.ExFreePoolWithTag(providerContext, POOL_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return NT_SUCCESS(st) ? STATUS_UNSUCCESSFUL : st;
    }
    dev.provider = handle.value;
    self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  // ------------------------------------------------------------ DriverEntry / Unload

  /** Nothing driver-wide is allocated in DriverEntry, so there is nothing to free (F118). */
  const Unload: DRIVER_UNLOAD = () => {};

  const DriverEntry: DRIVER_INITIALIZE = (driver) => {
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) driver.MajorFunction[mj] = DispatchOther;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
