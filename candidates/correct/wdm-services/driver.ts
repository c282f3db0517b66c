/**
 * wdm-services: the reference provider wrapped in the kernel services a real WDM function driver
 * adds around its device's own work (adddevice-routines-in-function-or-filter-drivers.md,
 * removing-a-device-in-a-function-driver.md, handling-an-irp-mn-surprise-removal-request.md):
 *
 * - a remove lock (IO_REMOVE_LOCK in the device extension) acquired for every PnP, power and
 *   system-control IRP, every NetDMA channel call (ProviderXxx handler) and by the watchdog DPC,
 *   released when each is done; at REMOVE,
 *   IoReleaseRemoveLockAndWait before anything is torn down;
 * - a watchdog: a periodic kernel timer with a DPC, armed when START succeeds and cancelled (its
 *   queued DPC removed) at STOP, SURPRISE_REMOVAL and REMOVE; it counts ticks with InterlockedIncrement
 *   and stamps KeQueryInterruptTime;
 * - a per-device statistics block from ExAllocatePool2(POOL_FLAG_NON_PAGED), freed at REMOVE;
 * - a device interface registered for the PDO in AddDevice, enabled when START succeeds, disabled
 *   at SURPRISE_REMOVAL (or REMOVE without one), its symbolic link freed with RtlFreeUnicodeString;
 * - WMI registration in AddDevice (IoWMIRegistrationControl), deregistered at REMOVE before the
 *   reference deletes the FDO; IRP_MJ_SYSTEM_CONTROL is passed down;
 * - the count of IRPs in progress kept with InterlockedIncrement/InterlockedDecrement (the QUERY_STOP
 *   pattern of handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md).
 *
 * The reference does all NetDMA and hardware work; the `svc-*` mutations switch one bug on each.
 *
 * @module
 */
import {
  IO_NO_INCREMENT,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MJ_SYSTEM_CONTROL,
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  NT_SUCCESS,
  NotificationTimer,
  POOL_FLAG_NON_PAGED,
  STATUS_INSUFFICIENT_RESOURCES,
  WMIREG_ACTION_DEREGISTER,
  WMIREG_ACTION_REGISTER,
  type DEVICE_OBJECT,
  type DRIVER_ADD_DEVICE,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type IO_REMOVE_LOCK,
  type IRP,
  type KDEFERRED_ROUTINE,
  type KDPC,
  type KTIMER,
  type KernelServices,
  type NTSTATUS,
  type OUT,
  type UNICODE_STRING,
  type VOLATILE_LONG,
} from '../../../src/candidate-api';
import { createReferenceDriver } from '../../../src/reference/driver';
import type { FdoExtension } from '../../../src/reference/device-extension';
import type { Mutation } from '../../../src/reference/mutations';

/** Pool tag 'NdSv'. */
export const SERVICES_TAG = 0x7653_644e;
/** The device interface class this provider exposes (a class GUID of its own). */
export const GUID_DEVINTERFACE_NETDMA_SERVICES = '{6c0a1f3e-2b7d-4e51-9a0c-5d2f8e7b4a19}';
/** The NET_DMA_PROVIDER_CHARACTERISTICS handlers, each wrapped in a remove lock acquisition. */
const CHANNEL_HANDLERS = ['SetDmaChannelCpuAffinity', 'AllocateDmaChannel', 'FreeDmaChannel', 'StartDma', 'SuspendDma', 'ResumeDma', 'AbortDma', 'AppendDma', 'ResetChannel'] as const;
/** Watchdog: first expiry 2 ms after START, then every 2 ms. */
const WATCHDOG_DUE = -20_000n;
const WATCHDOG_PERIOD_MS = 2;

/** What this provider keeps per FDO beside the reference's extension (`DeviceExtension['svc']`). */
interface ServiceExtension {
  readonly removeLock: IO_REMOVE_LOCK;
  readonly watchdog: KTIMER;
  readonly watchdogDpc: KDPC;
  /** Watchdog expiries so far. */
  readonly ticks: VOLATILE_LONG;
  /** IRPs in progress in this driver. */
  readonly inProgress: VOLATILE_LONG;
  /** ExAllocatePool2 block: the last watchdog time (8 bytes) and the tick count (4 bytes). */
  readonly stats: Uint8Array;
  symbolicLink: UNICODE_STRING | null;
  interfaceEnabled: boolean;
  surpriseRemoved: boolean;
}

/** Builds one image of wdm-services; `mutations` may switch one `svc-*` bug on. */
export function createServicesDriver(k: KernelServices, mutations: ReadonlySet<Mutation> = new Set()): DRIVER_INITIALIZE {
  const bug = (x: Mutation) => mutations.has(x);
  /** The device the reference's AddDevice created last (its FDO), seen through IoCreateDevice. */
  let created: DEVICE_OBJECT | null = null;
  /** The remove lock of the device whose AddDevice is running (NetDMA calls handlers from inside the registration). */
  let registering: IO_REMOVE_LOCK | null = null;
  const inner: KernelServices = Object.freeze({
    ...k,
    IoCreateDevice: (...a: Parameters<KernelServices['IoCreateDevice']>): NTSTATUS => {
      const st = k.IoCreateDevice(...a);
      created = NT_SUCCESS(st) ? (a[6].value ?? null) : null;
      return st;
    },
    // Every channel call holds the device's remove lock while it runs (acquiring is allowed up to DISPATCH_LEVEL).
    NetDmaRegisterProvider: (...a: Parameters<KernelServices['NetDmaRegisterProvider']>): NTSTATUS => {
      const [context, handle, chars] = a;
      const lock = registering;
      if (lock === null) return k.NetDmaRegisterProvider(context, handle, chars);
      const wrapped: Record<string, unknown> = { ...chars };
      for (const name of CHANNEL_HANDLERS) {
        const handler = chars[name] as ((...args: unknown[]) => unknown) | null;
        if (typeof handler !== 'function') continue;
        wrapped[name] = (...args: unknown[]): unknown => {
          // After IoReleaseRemoveLockAndWait (REMOVE) the call still runs, unlocked: NetDmaProviderStop frees channels then.
          const held = NT_SUCCESS(k.IoAcquireRemoveLock(lock, name));
          try {
            return handler(...args);
          } finally {
            if (held) k.IoReleaseRemoveLock(lock, name);
          }
        };
      }
      return k.NetDmaRegisterProvider(context, handle, wrapped as unknown as typeof chars);
    },
  });
  const referenceEntry = createReferenceDriver(inner);
  let refAddDevice: DRIVER_ADD_DEVICE | null = null;
  let refPnp: DRIVER_DISPATCH | null = null;
  let refPower: DRIVER_DISPATCH | null = null;

  const svcOf = (d: DEVICE_OBJECT) => d.DeviceExtension['svc'] as ServiceExtension;
  const lowerOf = (d: DEVICE_OBJECT) => (d.DeviceExtension['fdo'] as FdoExtension).lower;

  const WatchdogDpc: KDEFERRED_ROUTINE = (dpc, context) => {
    const svc = context as ServiceExtension;
    if (!NT_SUCCESS(k.IoAcquireRemoveLock(svc.removeLock, dpc))) return; // the device is going away
    const n = k.InterlockedIncrement(svc.ticks);
    const view = new DataView(svc.stats.buffer, svc.stats.byteOffset, svc.stats.byteLength);
    view.setBigUint64(0, k.KeQueryInterruptTime(), true);
    view.setUint32(8, n >>> 0, true);
    k.IoReleaseRemoveLock(svc.removeLock, dpc);
  };

  const stopWatchdog = (svc: ServiceExtension) => {
    k.KeCancelTimer(svc.watchdog);
    k.KeRemoveQueueDpc(svc.watchdogDpc);
  };
  const setInterface = (svc: ServiceExtension, enable: boolean) => {
    if (svc.symbolicLink === null || svc.interfaceEnabled === enable) return;
    if (NT_SUCCESS(k.IoSetDeviceInterfaceState(svc.symbolicLink, enable))) svc.interfaceEnabled = enable;
  };
  const completeWith = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const stats = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, bug('svc-pool2-zero-tag') ? 0 : SERVICES_TAG);
    if (!stats) return STATUS_INSUFFICIENT_RESOURCES;
    // The lock exists before the reference registers the provider: NetDMA may call a handler inside the registration.
    const removeLock: IO_REMOVE_LOCK = {};
    k.IoInitializeRemoveLock(removeLock, SERVICES_TAG, 0, 0);
    created = null;
    registering = removeLock;
    let st: NTSTATUS;
    try {
      st = refAddDevice!(driver, pdo);
    } finally {
      registering = null;
    }
    const fdo = created as DEVICE_OBJECT | null;
    if (!NT_SUCCESS(st) || fdo === null) {
      k.ExFreePoolWithTag(stats, SERVICES_TAG);
      return st;
    }
    const svc: ServiceExtension = {
      removeLock, watchdog: {}, watchdogDpc: {}, ticks: { value: 0 }, inProgress: { value: 0 }, stats,
      symbolicLink: null, interfaceEnabled: false, surpriseRemoved: false,
    };
    k.KeInitializeTimerEx(svc.watchdog, NotificationTimer);
    k.KeInitializeDpc(svc.watchdogDpc, WatchdogDpc, svc);
    const link: OUT<UNICODE_STRING> = {};
    // The interface is optional: without it the device still works.
    if (NT_SUCCESS(k.IoRegisterDeviceInterface(pdo, GUID_DEVINTERFACE_NETDMA_SERVICES, null, link)) && link.value) {
      svc.symbolicLink = link.value;
    }
    k.IoWMIRegistrationControl(fdo, WMIREG_ACTION_REGISTER);
    fdo.DeviceExtension['svc'] = svc;
    return st;
  };

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const svc = svcOf(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    const locked = k.IoAcquireRemoveLock(svc.removeLock, irp);
    if (!NT_SUCCESS(locked)) return completeWith(irp, locked);
    k.InterlockedIncrement(svc.inProgress);
    const done = (st: NTSTATUS): NTSTATUS => {
      k.InterlockedDecrement(svc.inProgress);
      k.IoReleaseRemoveLock(svc.removeLock, irp);
      return st;
    };
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        const st = refPnp!(device, irp);
        if (NT_SUCCESS(st)) {
          k.KeSetTimerEx(svc.watchdog, WATCHDOG_DUE, WATCHDOG_PERIOD_MS, svc.watchdogDpc);
          setInterface(svc, true);
        }
        return done(st);
      }
      case IRP_MN_STOP_DEVICE:
        stopWatchdog(svc);
        return done(refPnp!(device, irp));
      case IRP_MN_SURPRISE_REMOVAL:
        svc.surpriseRemoved = true;
        stopWatchdog(svc);
        setInterface(svc, false);
        return done(refPnp!(device, irp));
      case IRP_MN_QUERY_REMOVE_DEVICE: {
        const st = refPnp!(device, irp);
        if (bug('svc-rlock-leak-on-query-remove')) return st; // forgets its release on this path
        return done(st);
      }
      case IRP_MN_REMOVE_DEVICE: {
        k.InterlockedDecrement(svc.inProgress);
        // Wait for every other holder (the watchdog DPC, IRPs in flight), then tear down.
        k.IoReleaseRemoveLockAndWait(svc.removeLock, irp);
        if (!bug('svc-timer-not-cancelled-at-remove')) stopWatchdog(svc);
        if (bug('svc-interface-link-freed-first') && svc.symbolicLink) {
          k.RtlFreeUnicodeString(svc.symbolicLink);
          k.IoSetDeviceInterfaceState(svc.symbolicLink, false); // through the name just freed
        } else {
          setInterface(svc, false);
          if (svc.symbolicLink) k.RtlFreeUnicodeString(svc.symbolicLink);
        }
        svc.symbolicLink = null;
        if (!bug('svc-wmi-no-deregister')) k.IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER);
        k.ExFreePoolWithTag(svc.stats, SERVICES_TAG);
        // The reference stops the provider, deregisters, passes REMOVE down, detaches and deletes the FDO.
        return refPnp!(device, irp);
      }
      default: {
        const st = refPnp!(device, irp);
        if (bug('svc-rlock-release-twice') && minor === IRP_MN_QUERY_CAPABILITIES) k.IoReleaseRemoveLock(svc.removeLock, irp);
        return done(st);
      }
    }
  };

  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const svc = svcOf(device);
    const locked = k.IoAcquireRemoveLock(svc.removeLock, irp);
    if (!NT_SUCCESS(locked)) return completeWith(irp, locked);
    // The reference finishes a D0 IRP later, in its work item; the PnP manager sends no REMOVE before it completes.
    const st = refPower!(device, irp);
    k.IoReleaseRemoveLock(svc.removeLock, irp);
    return st;
  };

  const DispatchSystemControl: DRIVER_DISPATCH = (device, irp) => {
    const svc = svcOf(device);
    const locked = k.IoAcquireRemoveLock(svc.removeLock, irp);
    if (!NT_SUCCESS(locked)) return completeWith(irp, locked);
    // No WMI data blocks of its own: every WMI request goes to the lower driver.
    k.IoSkipCurrentIrpStackLocation(irp);
    const st = k.IoCallDriver(lowerOf(device), irp);
    k.IoReleaseRemoveLock(svc.removeLock, irp);
    return st;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, path) => {
    const st = referenceEntry(driver, path);
    if (!NT_SUCCESS(st)) return st;
    refAddDevice = driver.DriverExtension.AddDevice;
    refPnp = driver.MajorFunction[IRP_MJ_PNP] ?? null;
    refPower = driver.MajorFunction[IRP_MJ_POWER] ?? null;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.MajorFunction[IRP_MJ_SYSTEM_CONTROL] = DispatchSystemControl;
    return st;
  };
  return DriverEntry;
}
