/**
 * policy-owner: a NetDMA provider whose FDO is its device's power-policy owner, as WDM function
 * drivers are. A system power IRP (query or set) is answered by requesting the matching device
 * power IRP with PoRequestPowerIrp; the system IRP is held pending until that device IRP's
 * completion function runs and is then passed down. The device power IRPs carry the engine's
 * power work: PoSetPowerState on each change, NetDmaPnPEventNotify PowerDown before leaving D0 and
 * PowerUp once back in D0 with the engine re-initialised (F50); a 1.0 registration has no
 * notification and relies on the engine re-initialisation before DMA resumes (F51).
 */
import {
  DO_DEVICE_INITIALIZING,
  DO_POWER_INRUSH,
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
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_QUERY_POWER,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_SET_POWER,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
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
  PASSIVE_LEVEL,
  PNP_DEVICE_NOT_DISABLEABLE,
  PowerDeviceD0,
  PowerDeviceD3,
  PowerDeviceUnspecified,
  PowerSystemMaximum,
  PowerSystemUnspecified,
  PowerSystemWorking,
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
  type IO_STATUS_BLOCK,
  type IRP,
  type KEVENT,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
  type POWER_STATE,
  type REQUEST_POWER_COMPLETE,
} from '../../../src/candidate-api';
import { MAX_CHANNELS, POOL_TAG, PnpState, inSpecialPath, type Engine } from './device';
import { createEngine } from '../blind-engine-d0/engine';

/** What the power completion function needs to finish the system IRP it was requested for. */
interface SystemIrpContext {
  readonly dev: Engine;
  readonly sIrp: IRP;
  readonly minor: number;
}

export function createPolicyOwnerDriver(k: KernelServices): DRIVER_INITIALIZE {
  const ops = createEngine(k, POOL_TAG);
  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['dev'] as Engine;

  // ------------------------------------------------------------------ IRP helpers

  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Passes the IRP down with our stack location; `setSuccess` for an IRP this driver handled. */
  const passDown = (dev: Engine, irp: IRP, setSuccess: boolean): NTSTATUS => {
    if (setSuccess) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.lower, irp);
  };
  /** Sends the IRP down and waits until the lower drivers complete it (handled on the way up, F103). */
  const forwardAndWait = (dev: Engine, irp: IRP): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    const st = k.IoCallDriver(dev.lower, irp);
    if (st === STATUS_PENDING) k.KeWaitForSingleObject(ev, 0, 0, false, null);
    return irp.IoStatus.Status;
  };
  const announce = (dev: Engine, code: number) => {
    if (!dev.notify || !dev.handle) return;
    dev.notify(dev.handle, {
      StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1,
      StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE,
      NotificationCode: code,
      Buffer: null,
      BufferLength: 0,
    });
  };
  const setDevicePowerState = (dev: Engine, state: number) => {
    if (dev.dState === state) return;
    dev.dState = state;
    const ps: POWER_STATE = { DeviceState: state };
    k.PoSetPowerState(dev.fdo, DevicePowerState, ps);
  };

  // ------------------------------------------------------------------ NetDMA start / stop

  const stopProvider = (dev: Engine) => {
    if (dev.providerRunning && dev.handle) {
      k.NetDmaProviderStop(dev.handle); // before the resources go (F122)
      dev.providerRunning = false;
    }
  };
  const releaseHardware = (dev: Engine) => {
    stopProvider(dev);
    ops.tearDown(dev);
  };

  // ------------------------------------------------------------------ PnP

  const applyAffinities = (dev: Engine, irp: IRP) => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (!dev.wantedCpu || !list || !list.List) return;
    for (const alt of list.List) {
      let message = 0;
      for (const d of alt.Descriptors) {
        if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
        const cpu = dev.wantedCpu.get(message++);
        if (cpu === undefined || cpu < 0 || cpu > 63) continue;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
      }
    }
  };

  const startDevice = (dev: Engine, irp: IRP): NTSTATUS => {
    const st = forwardAndWait(dev, irp);
    if (!NT_SUCCESS(st)) return st; // a START failed below is not continued (F105)
    const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
    if (!res) return STATUS_INSUFFICIENT_RESOURCES;
    // A START while started (new resources): let the old set go first.
    if (dev.bar !== null || dev.providerRunning) releaseHardware(dev);
    // The bus driver has the device in D0 for START.
    dev.d0 = true;
    dev.needsRestore = false;
    setDevicePowerState(dev, PowerDeviceD0);
    const up = ops.bringUp(dev, res.AllocatedResourcesTranslated);
    if (!NT_SUCCESS(up.st) || !up.attrs) return NT_SUCCESS(up.st) ? STATUS_UNSUCCESSFUL : up.st;
    if (!dev.handle) {
      ops.tearDown(dev);
      return STATUS_UNSUCCESSFUL;
    }
    k.NetDmaProviderStart(dev.handle, up.attrs); // after the engine and interrupts are ready (F10, F121)
    dev.providerRunning = true;
    dev.pnp = PnpState.Started;
    return STATUS_SUCCESS;
  };

  const usageNotification = (dev: Engine, irp: IRP): NTSTATUS => {
    const u = k.IoGetCurrentIrpStackLocation(irp).Parameters.UsageNotification;
    if (!u || (u.Type !== DeviceUsageTypePaging && u.Type !== DeviceUsageTypeHibernation && u.Type !== DeviceUsageTypeDumpFile)) {
      return passDown(dev, irp, false); // not a special file: not ours to judge
    }
    const count = u.Type === DeviceUsageTypePaging ? dev.pagingCount : u.Type === DeviceUsageTypeHibernation ? dev.hibernationCount : dev.dumpCount;
    // Removing the last paging file: pagable again, set on the way down (undone if the IRP fails).
    let setPagable = false;
    if (u.Type === DeviceUsageTypePaging && !u.InPath && count === 1 && (dev.fdo.Flags & DO_POWER_INRUSH) === 0 && dev.pagableAtAdd) {
      dev.fdo.Flags |= DO_POWER_PAGABLE;
      setPagable = true;
    }
    const st = forwardAndWait(dev, irp);
    if (NT_SUCCESS(st)) {
      const next = u.InPath ? count + 1 : Math.max(0, count - 1);
      if (u.Type === DeviceUsageTypePaging) dev.pagingCount = next;
      else if (u.Type === DeviceUsageTypeHibernation) dev.hibernationCount = next;
      else dev.dumpCount = next;
      // The first paging file: no longer pagable, cleared on the way up once the lower drivers succeeded.
      if (u.Type === DeviceUsageTypePaging && u.InPath && next === 1) dev.fdo.Flags &= ~DO_POWER_PAGABLE;
    } else if (setPagable) {
      dev.fdo.Flags &= ~DO_POWER_PAGABLE;
    }
    return complete(irp, st);
  };

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) return complete(irp, lk);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    let st: NTSTATUS;
    switch (minor) {
      case IRP_MN_START_DEVICE:
        st = complete(irp, startDevice(dev, irp));
        break;
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        st = forwardAndWait(dev, irp);
        if (NT_SUCCESS(st)) applyAffinities(dev, irp); // MSI-X messages toward NetDMA's CPUs (F47, F52)
        st = complete(irp, st);
        break;
      }
      case IRP_MN_QUERY_STOP_DEVICE:
        if (inSpecialPath(dev)) {
          st = complete(irp, STATUS_UNSUCCESSFUL); // in the paging / hibernation / dump path (F108)
          break;
        }
        dev.prevPnp = dev.pnp;
        dev.pnp = PnpState.StopPending;
        st = passDown(dev, irp, true);
        break;
      case IRP_MN_CANCEL_STOP_DEVICE:
        forwardAndWait(dev, irp);
        if (dev.pnp === PnpState.StopPending) dev.pnp = dev.prevPnp;
        st = complete(irp, STATUS_SUCCESS); // never failed (F109)
        break;
      case IRP_MN_STOP_DEVICE:
        releaseHardware(dev); // NetDmaProviderStop, then interrupts and registers go (F107, F122)
        dev.pnp = PnpState.Stopped;
        st = passDown(dev, irp, true);
        break;
      case IRP_MN_QUERY_REMOVE_DEVICE:
        if (inSpecialPath(dev)) {
          st = complete(irp, STATUS_UNSUCCESSFUL); // in the paging / hibernation / dump path (F111)
          break;
        }
        dev.prevPnp = dev.pnp;
        dev.pnp = PnpState.RemovePending;
        st = passDown(dev, irp, true);
        break;
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        forwardAndWait(dev, irp);
        if (dev.pnp === PnpState.RemovePending) dev.pnp = dev.prevPnp;
        st = complete(irp, STATUS_SUCCESS); // never failed (F112)
        break;
      case IRP_MN_SURPRISE_REMOVAL:
        releaseHardware(dev); // the hardware is gone or going: release it now (F114, decision A13)
        dev.pnp = PnpState.SurpriseRemoved;
        st = passDown(dev, irp, true);
        break;
      case IRP_MN_REMOVE_DEVICE: {
        k.IoReleaseRemoveLockAndWait(dev.removeLock, irp); // every other IRP has left the driver
        releaseHardware(dev);
        if (dev.handle) {
          k.NetDmaDeregisterProvider(dev.handle); // after NetDmaProviderStop (F9, F123)
          dev.handle = null;
        }
        dev.pnp = PnpState.Deleted;
        const r = passDown(dev, irp, true);
        k.IoDetachDevice(dev.lower);
        k.IoFreeWorkItem(dev.upItem);
        k.IoFreeWorkItem(dev.downItem);
        k.ExFreePoolWithTag(dev.contextPool, POOL_TAG);
        k.IoDeleteDevice(dev.fdo);
        return r; // the remove lock was released by IoReleaseRemoveLockAndWait
      }
      case IRP_MN_DEVICE_USAGE_NOTIFICATION:
        st = usageNotification(dev, irp);
        break;
      case IRP_MN_QUERY_PNP_DEVICE_STATE: {
        if (!inSpecialPath(dev)) {
          st = passDown(dev, irp, false);
          break;
        }
        // A device holding a special file is not disableable.
        st = forwardAndWait(dev, irp);
        if (NT_SUCCESS(st) || st === STATUS_NOT_SUPPORTED) {
          const info = irp.IoStatus.Information;
          irp.IoStatus.Information = (typeof info === 'number' && NT_SUCCESS(st) ? info : 0) | PNP_DEVICE_NOT_DISABLEABLE;
          st = STATUS_SUCCESS;
        }
        st = complete(irp, st);
        break;
      }
      default:
        st = passDown(dev, irp, false); // untouched (F104)
        break;
    }
    k.IoReleaseRemoveLock(dev.removeLock, irp);
    return st;
  };

  // ------------------------------------------------------------------ power

  const releaseAfter = (dev: Engine, irp: IRP, st: NTSTATUS): NTSTATUS => {
    k.IoReleaseRemoveLock(dev.removeLock, irp);
    return st;
  };
  /** A power IRP this driver does not act on: down untouched. */
  const powerPassDown = (dev: Engine, irp: IRP): NTSTATUS => {
    k.PoStartNextPowerIrp(irp);
    k.IoSkipCurrentIrpStackLocation(irp);
    return releaseAfter(dev, irp, k.PoCallDriver(dev.lower, irp));
  };

  /** The system IRP goes down once the device IRP has done its work (or could not be sent). */
  const forwardSystemIrp = (dev: Engine, sIrp: IRP) => {
    sIrp.IoStatus.Status = STATUS_SUCCESS;
    k.PoStartNextPowerIrp(sIrp);
    k.IoCopyCurrentIrpStackLocationToNext(sIrp);
    k.PoCallDriver(dev.lower, sIrp);
    k.IoReleaseRemoveLock(dev.removeLock, sIrp);
  };
  const failSystemIrp = (dev: Engine, sIrp: IRP, st: NTSTATUS) => {
    k.PoStartNextPowerIrp(sIrp);
    complete(sIrp, st);
    k.IoReleaseRemoveLock(dev.removeLock, sIrp);
  };

  const onDeviceIrpDone: REQUEST_POWER_COMPLETE = (_d, _minor, _state, context, io: IO_STATUS_BLOCK) => {
    const c = context as SystemIrpContext;
    if (c.minor === IRP_MN_QUERY_POWER && !NT_SUCCESS(io.Status)) {
      failSystemIrp(c.dev, c.sIrp, io.Status); // the device cannot go there: the system query fails
      return;
    }
    // A failed device set-power IRP does not fail the system one: a system set-power IRP is never failed.
    forwardSystemIrp(c.dev, c.sIrp);
  };

  const systemPowerIrp = (dev: Engine, irp: IRP, minor: number, sState: number): NTSTATUS => {
    if (dev.pnp === PnpState.SurpriseRemoved || dev.pnp === PnpState.Deleted || sState <= PowerSystemUnspecified || sState >= PowerSystemMaximum) {
      return powerPassDown(dev, irp);
    }
    const dState = sState === PowerSystemWorking ? PowerDeviceD0 : PowerDeviceD3;
    k.IoMarkIrpPending(irp);
    const context: SystemIrpContext = { dev, sIrp: irp, minor };
    const st = k.PoRequestPowerIrp(dev.pdo, minor, { DeviceState: dState }, onDeviceIrpDone, context, null);
    if (st !== STATUS_PENDING) {
      // No device IRP was sent: a query cannot be answered for the device, so it fails; a set goes on.
      if (minor === IRP_MN_QUERY_POWER) failSystemIrp(dev, irp, NT_SUCCESS(st) ? STATUS_UNSUCCESSFUL : st);
      else forwardSystemIrp(dev, irp);
    }
    return STATUS_PENDING;
  };

  /** Back in D0 (the lower drivers completed the D0 IRP): at PASSIVE_LEVEL in a work item. */
  const finishD0 = (dev: Engine, irp: IRP) => {
    if (NT_SUCCESS(irp.IoStatus.Status)) {
      dev.d0 = true;
      let ready = true;
      if (dev.needsRestore && dev.bar !== null) ready = ops.restore(dev); // before anyone restarts a channel (F39, F51)
      dev.needsRestore = !ready;
      setDevicePowerState(dev, PowerDeviceD0);
      // PowerDown is answered by PowerUp at the next D0, even if a STOP / START came in between.
      if (ready && dev.announcedDown && dev.handle) {
        announce(dev, NetDmaNotificationProviderPowerUp); // after D0 and the engine re-initialised (F50)
        dev.announcedDown = false;
      }
      if (!ready) k.DbgPrint('policy-owner: engine did not come back from reset after D0; NetDMA left powered down');
    }
    k.PoStartNextPowerIrp(irp);
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    k.IoReleaseRemoveLock(dev.removeLock, irp);
  };

  /** Leaving D0 for `dState`: PowerDown first (F50), then PoSetPowerState, then the IRP goes down. */
  const goDown = (dev: Engine, irp: IRP, dState: number, deferred: boolean): NTSTATUS => {
    if (dev.d0 && dev.providerRunning && !dev.announcedDown && dev.notify) {
      announce(dev, NetDmaNotificationProviderPowerDown);
      dev.announcedDown = true;
    }
    if (dev.d0 && dev.bar !== null) dev.needsRestore = true; // registers are lost outside D0
    dev.d0 = false;
    setDevicePowerState(dev, dState);
    irp.IoStatus.Status = STATUS_SUCCESS;
    k.PoStartNextPowerIrp(irp);
    if (deferred) k.IoCopyCurrentIrpStackLocationToNext(irp);
    else k.IoSkipCurrentIrpStackLocation(irp);
    return releaseAfter(dev, irp, k.PoCallDriver(dev.lower, irp));
  };

  const deviceSetPower = (dev: Engine, irp: IRP, dState: number): NTSTATUS => {
    if (dState === PowerDeviceD0) {
      k.IoMarkIrpPending(irp);
      k.IoCopyCurrentIrpStackLocationToNext(irp);
      k.IoSetCompletionRoutine(irp, () => {
        k.IoQueueWorkItem(dev.upItem, () => finishD0(dev, irp), DelayedWorkQueue, null);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }, null, true, true, true);
      k.PoCallDriver(dev.lower, irp);
      return STATUS_PENDING;
    }
    if (dState <= PowerDeviceUnspecified || dState > PowerDeviceD3) return powerPassDown(dev, irp);
    const mustAnnounce = dev.d0 && dev.providerRunning && !dev.announcedDown && dev.notify !== null;
    if (mustAnnounce && k.KeGetCurrentIrql() > PASSIVE_LEVEL) {
      // NetDmaPnPEventNotify is PASSIVE_LEVEL (F16): announce from a work item, then pass the IRP down.
      k.IoMarkIrpPending(irp);
      k.IoQueueWorkItem(dev.downItem, () => { goDown(dev, irp, dState, true); }, DelayedWorkQueue, null);
      return STATUS_PENDING;
    }
    return goDown(dev, irp, dState, false);
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
    if ((sl.MinorFunction !== IRP_MN_SET_POWER && sl.MinorFunction !== IRP_MN_QUERY_POWER) || !p) return powerPassDown(dev, irp);
    if (p.Type === DevicePowerState) {
      if (sl.MinorFunction === IRP_MN_SET_POWER) return deviceSetPower(dev, irp, p.State.DeviceState);
      // A device query: the engine can leave D0 at any time (PowerDown quiesces its clients).
      irp.IoStatus.Status = STATUS_SUCCESS;
      k.PoStartNextPowerIrp(irp);
      k.IoSkipCurrentIrpStackLocation(irp);
      return releaseAfter(dev, irp, k.PoCallDriver(dev.lower, irp));
    }
    return systemPowerIrp(dev, irp, sl.MinorFunction, p.State.SystemState);
  };

  // ------------------------------------------------------------------ everything else

  const DispatchPassThrough: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    const lk = k.IoAcquireRemoveLock(dev.removeLock, irp);
    if (!NT_SUCCESS(lk)) return complete(irp, lk);
    k.IoSkipCurrentIrpStackLocation(irp);
    return releaseAfter(dev, irp, k.IoCallDriver(dev.lower, irp));
  };
  const DispatchCreate: DRIVER_DISPATCH = (device, irp) => {
    const dev = ext(device);
    if (dev.pnp === PnpState.RemovePending) return complete(irp, STATUS_DELETE_PENDING); // F111
    if (dev.pnp === PnpState.SurpriseRemoved) return complete(irp, STATUS_NO_SUCH_DEVICE); // F114
    return DispatchPassThrough(device, irp);
  };

  // ------------------------------------------------------------------ AddDevice / DriverEntry / Unload

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    let st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(st) || !out.value) return NT_SUCCESS(st) ? STATUS_UNSUCCESSFUL : st;
    const fdo = out.value;
    const lower = k.IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!lower) {
      k.IoDeleteDevice(fdo);
      return STATUS_NO_SUCH_DEVICE;
    }
    const contextPool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 128, POOL_TAG);
    const upItem = contextPool ? k.IoAllocateWorkItem(fdo) : null;
    const downItem = upItem ? k.IoAllocateWorkItem(fdo) : null;
    if (!contextPool || !upItem || !downItem) {
      if (upItem) k.IoFreeWorkItem(upItem);
      if (contextPool) k.ExFreePoolWithTag(contextPool, POOL_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    // The interface version decides the provider version; NetDmaGetVersion is looked up, never imported (F14a).
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = typeof getVersion === 'function' ? getVersion() >>> 0 : 0x0001_0000;
    const version = Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notify = version >= 0x101
      ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null)
      : null;
    // Power flags as the bus driver set them on the PDO: never set DO_POWER_PAGABLE where a lower driver cleared it.
    fdo.Flags |= lower.Flags & (DO_POWER_PAGABLE | DO_POWER_INRUSH);
    const dev: Engine = {
      fdo, pdo, lower, version,
      notify: typeof notify === 'function' ? notify : null,
      slotLock: {}, upItem, downItem, contextPool, removeLock: {},
      pagableAtAdd: (fdo.Flags & DO_POWER_PAGABLE) !== 0,
      handle: null, providerRunning: false, pnp: PnpState.NotStarted, prevPnp: PnpState.NotStarted,
      announcedDown: false, needsRestore: false, d0: true, dState: PowerDeviceUnspecified,
      pagingCount: 0, hibernationCount: 0, dumpCount: 0,
      wantedCpu: null,
      bar: null, barLength: 0, msgTable: null, lineObject: null, messageMode: false, nChannels: 0, msgCpu: [], slots: [],
    };
    k.KeInitializeSpinLock(dev.slotLock);
    k.IoInitializeRemoveLock(dev.removeLock, POOL_TAG, 0, 0);
    fdo.DeviceExtension['dev'] = dev;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0, // no DCA (F17c)
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...ops.handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString('Policy-owner I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(dev, handle, chars); // after the FDO is attached (F8d)
    if (!NT_SUCCESS(st) || !handle.value) {
      k.IoFreeWorkItem(upItem);
      k.IoFreeWorkItem(downItem);
      k.ExFreePoolWithTag(contextPool, POOL_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return NT_SUCCESS(st) ? STATUS_UNSUCCESSFUL : st;
    }
    dev.handle = handle.value;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    // DriverEntry allocated nothing; every device-wide resource went at REMOVE (F118).
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver) => {
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) driver.MajorFunction[mj] = DispatchPassThrough;
    driver.MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
