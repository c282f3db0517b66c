/**
 * wmi-interface: a NetDMA provider that exposes itself as many real function drivers do — a device
 * interface registered in AddDevice and enabled while started, WMI registration, and its own
 * CREATE / CLOSE / CLEANUP / DEVICE_CONTROL / SYSTEM_CONTROL dispatch routines. Pool comes from
 * ExAllocatePool2.
 *
 * The engine side (registers, the nine handlers, ISR and DPC, bring-up and tear-down) is the
 * reference provider's, copied; this file owns DriverEntry, AddDevice, the dispatch routines and
 * Unload.
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DelayedWorkQueue,
  DevicePowerState,
  ENGINE_CAPABILITY,
  ENGINE_FEATURE_DCA,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IO_NO_INCREMENT,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_MAXIMUM_FUNCTION,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MJ_SYSTEM_CONTROL,
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
  NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NotificationEvent,
  PCI_WHICHSPACE_CONFIG,
  POOL_FLAG_NON_PAGED,
  PowerDeviceD0,
  STATUS_DELETE_PENDING,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NO_SUCH_DEVICE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WMIREG_ACTION_DEREGISTER,
  WMIREG_ACTION_REGISTER,
  type DEVICE_OBJECT,
  type DRIVER_ADD_DEVICE,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DRIVER_UNLOAD,
  type GUID,
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
  type UNICODE_STRING,
} from '../../../src/candidate-api';
import { createHandlers, reinitializeEngine } from './channels';
import { REFERENCE_MAX_CHANNELS, REFERENCE_TAG, type FdoExtension } from './device-extension';
import { startHardware, stopHardware } from '../../../src/reference/hardware';
import { createInterrupts } from '../../../src/reference/interrupts';

const noBug = (): boolean => false;

/** This provider's own device interface class (a private class: GUID_DEVINTERFACE_WMIIF_NETDMA). */
export const GUID_DEVINTERFACE_WMIIF_NETDMA: GUID = '{B4E1C3A2-7F60-4D2B-9C8E-5A1D2F3E4B60}';

/** Builds one driver image; all state lives in this closure or in device extensions. */
export function createWmiInterfaceDriver(k: KernelServices): DRIVER_INITIALIZE {
  const isr = createInterrupts(k);
  const handlers = createHandlers(k, isr, noBug, (context) => context as FdoExtension);
  /** DriverEntry's driver-wide block (freed at Unload). */
  let globals: Uint8Array | null = null;

  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as FdoExtension;

  /** Forwards the IRP and waits until the lower drivers complete it (handled on the way up). */
  const forwardAndWait = (fdo: FdoExtension, irp: IRP): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    let st = k.IoCallDriver(fdo.lower, irp);
    if (st === STATUS_PENDING) {
      k.KeWaitForSingleObject(ev, 0, 0, false, null);
      st = irp.IoStatus.Status;
    }
    return st;
  };
  const complete = (irp: IRP, st: NTSTATUS, information: unknown = 0): NTSTATUS => {
    irp.IoStatus.Status = st;
    irp.IoStatus.Information = information;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Completes a PnP IRP keeping its Information (which lower drivers may have filled). */
  const completePnp = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  const passDown = (fdo: FdoExtension, irp: IRP, setSuccess: boolean): NTSTATUS => {
    if (setSuccess) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(fdo.lower, irp);
  };
  const notify = (fdo: FdoExtension, code: number) =>
    fdo.notify?.(fdo.provider!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });

  /** Enables or disables the device interface (PASSIVE_LEVEL); a failure only leaves it as it was. */
  const setInterface = (fdo: FdoExtension, enable: boolean) => {
    if (fdo.symbolicLink === null || fdo.interfaceEnabled === enable) return;
    const st = k.IoSetDeviceInterfaceState(fdo.symbolicLink, enable);
    if (NT_SUCCESS(st)) fdo.interfaceEnabled = enable;
    else k.DbgPrint(`wmi-interface: IoSetDeviceInterfaceState(${enable}) failed 0x${(st >>> 0).toString(16)}`);
  };

  /** NetDMA first (it frees every channel meanwhile), then the hardware (F122). */
  const stopProviderAndHardware = (fdo: FdoExtension) => {
    if (fdo.providerStarted) {
      k.NetDmaProviderStop(fdo.provider!);
      fdo.providerStarted = false;
    }
    stopHardware(k, fdo);
  };

  /** With MSI-X, point each channel's message at the CPU NetDMA asked for (F47, F52). */
  const applyAffinities = (fdo: FdoExtension, irp: IRP) => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (!fdo.affinities || !list) return;
    for (const alternative of list.List) {
      let message = 0;
      for (const d of alternative.Descriptors) {
        if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
        const cpu = fdo.affinities.get(message++);
        if (cpu === undefined) continue;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
      }
    }
  };

  // ---- PnP ----
  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
        const resources = res?.AllocatedResourcesTranslated;
        const st = forwardAndWait(fdo, irp);
        if (!NT_SUCCESS(st)) return completePnp(irp, st); // F105: a START failed below is not continued
        // A START on a started device brings a new resource set (F105): release the old one first.
        if (fdo.regs !== null) stopProviderAndHardware(fdo);
        const started = resources ? startHardware(k, fdo, resources, isr, noBug) : STATUS_INSUFFICIENT_RESOURCES;
        if (NT_SUCCESS(started)) {
          fdo.pnpState = 'Started';
          setInterface(fdo, true); // at the end of START (starting-a-device-in-a-function-driver.md, step 4)
        }
        return completePnp(irp, started);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = forwardAndWait(fdo, irp);
        if (NT_SUCCESS(st)) applyAffinities(fdo, irp);
        return completePnp(irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
        // Nothing this driver queues needs the device: it can always be stopped (F108).
        fdo.previousPnpState = fdo.pnpState;
        fdo.pnpState = 'StopPending';
        return passDown(fdo, irp, true);
      case IRP_MN_CANCEL_STOP_DEVICE:
        forwardAndWait(fdo, irp);
        if (fdo.pnpState === 'StopPending') fdo.pnpState = fdo.previousPnpState;
        return completePnp(irp, STATUS_SUCCESS); // never failed (F109)
      case IRP_MN_STOP_DEVICE:
        setInterface(fdo, false);
        stopProviderAndHardware(fdo); // NetDmaProviderStop before the resources go (F122)
        fdo.pnpState = 'Stopped';
        return passDown(fdo, irp, true);
      case IRP_MN_QUERY_REMOVE_DEVICE:
        // New creates fail from now on (handling-an-irp-mn-query-remove-device-request.md).
        fdo.previousPnpState = fdo.pnpState;
        fdo.pnpState = 'RemovePending';
        return passDown(fdo, irp, true);
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        forwardAndWait(fdo, irp);
        if (fdo.pnpState === 'RemovePending') fdo.pnpState = fdo.previousPnpState;
        return completePnp(irp, STATUS_SUCCESS); // never failed (F112)
      case IRP_MN_SURPRISE_REMOVAL:
        fdo.pnpState = 'SurpriseRemoved';
        stopProviderAndHardware(fdo); // release the hardware (F114)
        setInterface(fdo, false);
        return passDown(fdo, irp, true);
      case IRP_MN_REMOVE_DEVICE: {
        fdo.pnpState = 'Removed';
        setInterface(fdo, false); // step 6 (nothing to do after SURPRISE_REMOVAL or STOP)
        stopProviderAndHardware(fdo); // step 7
        if (fdo.provider) k.NetDmaDeregisterProvider(fdo.provider); // F123, before IoDeleteDevice
        fdo.provider = null;
        if (fdo.wmiRegistered) k.IoWMIRegistrationControl(fdo.self, WMIREG_ACTION_DEREGISTER);
        fdo.wmiRegistered = false;
        if (fdo.symbolicLink) k.RtlFreeUnicodeString(fdo.symbolicLink);
        fdo.symbolicLink = null;
        k.IoFreeWorkItem(fdo.powerWorkItem);
        k.ExFreePoolWithTag(fdo.contextBlock, REFERENCE_TAG);
        const st = passDown(fdo, irp, true); // no completion routine, no wait
        k.IoDetachDevice(fdo.lower);
        k.IoDeleteDevice(fdo.self);
        return st;
      }
      default:
        return passDown(fdo, irp, false); // untouched
    }
  };

  // ---- power ----
  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    if (sl.MinorFunction !== IRP_MN_SET_POWER || sl.Parameters.Power?.Type !== DevicePowerState) {
      k.PoStartNextPowerIrp(irp);
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(fdo.lower, irp);
    }
    if (sl.Parameters.Power.State.DeviceState !== PowerDeviceD0) {
      if (fdo.providerStarted && fdo.notify !== null && !fdo.poweredDown) {
        notify(fdo, NetDmaNotificationProviderPowerDown); // before leaving D0 (F50)
        fdo.poweredDown = true;
      }
      fdo.lostContext = true; // the engine loses its registers in D3
      k.PoStartNextPowerIrp(irp);
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(fdo.lower, irp);
    }
    // Back to D0: finish on the way up, at PASSIVE_LEVEL in a work item.
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, () => {
      k.IoQueueWorkItem(fdo.powerWorkItem, () => {
        // Re-initialize the engine before anyone restarts a channel on it (F39, F51).
        if (NT_SUCCESS(irp.IoStatus.Status) && fdo.lostContext) {
          reinitializeEngine(k, fdo);
          fdo.lostContext = false;
        }
        if (NT_SUCCESS(irp.IoStatus.Status) && fdo.poweredDown && fdo.provider) {
          notify(fdo, NetDmaNotificationProviderPowerUp); // after returning to D0 (F50)
          fdo.poweredDown = false;
        }
        k.PoStartNextPowerIrp(irp);
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(fdo.lower, irp);
    return STATUS_PENDING;
  };

  // ---- the driver's own I/O surface ----
  const DispatchCreate: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    switch (fdo.pnpState) {
      case 'Started':
      case 'StopPending':
      case 'Stopped': // an open handle needs no hardware; it survives a rebalance
        return complete(irp, STATUS_SUCCESS);
      case 'NotStarted':
        return complete(irp, STATUS_DEVICE_NOT_READY);
      default: // remove-pending, surprise-removed, removed
        return complete(irp, STATUS_DELETE_PENDING);
    }
  };
  /** CLOSE and CLEANUP are never failed: the handle goes whatever the device's state. */
  const DispatchCloseCleanup: DRIVER_DISPATCH = (_device, irp) => complete(irp, STATUS_SUCCESS);
  /** This driver defines no I/O control code. */
  const DispatchDeviceControl: DRIVER_DISPATCH = (_device, irp) => complete(irp, STATUS_INVALID_DEVICE_REQUEST);
  /** No WMI data blocks: every WMI request goes down untouched. */
  const DispatchSystemControl: DRIVER_DISPATCH = (device, irp) => passDown(ext(device), irp, false);
  /** Every other major function: passed down untouched. */
  const DispatchPassThrough: DRIVER_DISPATCH = (device, irp) => passDown(ext(device), irp, false);

  /** Whether the engine does DCA: the ENGINE_FEATURE_DCA bit of its PCI capability (F17c, F40). */
  const engineDoesDca = (pdo: DEVICE_OBJECT): boolean => {
    const bus = k.IoGetBusInterfaceStandard(pdo);
    if (!bus) return false;
    const cfg = new Uint8Array(256);
    const got = bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, cfg, 0, cfg.length);
    bus.InterfaceDereference(bus.Context);
    if (got !== cfg.length) return false;
    let at = cfg[ENGINE_CAPABILITY.CAPABILITIES_POINTER]! & 0xfc;
    for (let n = 0; n < 48 && at >= 0x40; n++) {
      if (cfg[at + ENGINE_CAPABILITY.ID_OFFSET] === ENGINE_CAPABILITY.ID && cfg[at + ENGINE_CAPABILITY.LENGTH_OFFSET]! > ENGINE_CAPABILITY.FEATURES_OFFSET) {
        return (cfg[at + ENGINE_CAPABILITY.FEATURES_OFFSET]! & ENGINE_FEATURE_DCA) !== 0;
      }
      at = cfg[at + ENGINE_CAPABILITY.NEXT_OFFSET]! & 0xfc;
    }
    return false;
  };

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    let st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(st)) return st;
    const self = out.value!;
    const contextBlock = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 128, REFERENCE_TAG);
    const powerWorkItem = contextBlock ? k.IoAllocateWorkItem(self) : null;
    if (!contextBlock || !powerWorkItem) {
      if (contextBlock) k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
      k.IoDeleteDevice(self);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const undoPool = () => {
      k.IoFreeWorkItem(powerWorkItem);
      k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
    };
    // The device interface, on the PDO; it starts disabled and is enabled by START.
    const link: OUT<UNICODE_STRING> = {};
    st = k.IoRegisterDeviceInterface(pdo, GUID_DEVINTERFACE_WMIIF_NETDMA, null, link);
    if (!NT_SUCCESS(st) || !link.value) {
      undoPool();
      k.IoDeleteDevice(self);
      return NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st;
    }
    const symbolicLink = link.value;
    const lower = k.IoAttachDeviceToDeviceStack(self, pdo);
    if (!lower) {
      k.RtlFreeUnicodeString(symbolicLink);
      undoPool();
      k.IoDeleteDevice(self);
      return STATUS_NO_SUCH_DEVICE;
    }
    // NetDmaGetVersion exists from 1.1 on: look it up, never import it (F14a).
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() : 0x0001_0000;
    const version = Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notifyFn = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const lock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(lock);
    const fdo: FdoExtension = {
      self, pdo, lower, version, dca: version >= 0x200 && engineDoesDca(pdo), notify: notifyFn, contextBlock, lock, powerWorkItem,
      provider: null, affinities: null, providerStarted: false, poweredDown: false, lostContext: false,
      regs: null, regsLength: 0, messageTable: null, lineInterrupt: null, connectedMessageBased: false,
      channelCount: 0, messageCpus: [], maxTransferSize: 0, channels: [],
      symbolicLink, interfaceEnabled: false, wmiRegistered: false, pnpState: 'NotStarted', previousPnpState: 'NotStarted',
    };
    self.DeviceExtension['fdo'] = fdo;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: fdo.dca ? NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED : 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: REFERENCE_MAX_CHANNELS,
      ...handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString('WMI-interface I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(fdo, handle, chars);
    if (!NT_SUCCESS(st)) {
      k.RtlFreeUnicodeString(symbolicLink);
      undoPool();
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return st;
    }
    fdo.provider = handle.value!;
    // WMI last: nothing after it can fail, so it is never undone here.
    st = k.IoWMIRegistrationControl(self, WMIREG_ACTION_REGISTER);
    if (!NT_SUCCESS(st)) {
      k.NetDmaDeregisterProvider(fdo.provider);
      fdo.provider = null;
      k.RtlFreeUnicodeString(symbolicLink);
      undoPool();
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return st;
    }
    fdo.wmiRegistered = true;
    self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (globals) k.ExFreePoolWithTag(globals, REFERENCE_TAG);
    globals = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, _path) => {
    // Driver-wide state: one nonpaged block (nothing of RegistryPath is kept, F43).
    globals = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, REFERENCE_TAG);
    if (!globals) return STATUS_INSUFFICIENT_RESOURCES;
    driver.DriverExtension.AddDevice = AddDevice;
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) driver.MajorFunction[mj] = DispatchPassThrough;
    driver.MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
    driver.MajorFunction[IRP_MJ_CLOSE] = DispatchCloseCleanup;
    driver.MajorFunction[IRP_MJ_CLEANUP] = DispatchCloseCleanup;
    driver.MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    driver.MajorFunction[IRP_MJ_SYSTEM_CONTROL] = DispatchSystemControl;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
