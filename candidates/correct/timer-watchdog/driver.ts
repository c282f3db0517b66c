/**
 * DriverEntry, AddDevice, the PnP and power dispatch routines and Unload of the timer-watchdog
 * provider. The engine side is engine.ts, the watchdog watchdog.ts.
 *
 * @module
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DO_POWER_PAGABLE,
  DelayedWorkQueue,
  DevicePowerState,
  ENGINE_CAPABILITY,
  ENGINE_FEATURE_DCA,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IO_NO_INCREMENT,
  IRP_MJ_MAXIMUM_FUNCTION,
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
  NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  NonPagedPoolNx,
  NotificationEvent,
  PCI_WHICHSPACE_CONFIG,
  PowerDeviceD0,
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
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { createEngine } from './engine';
import { MAX_CHANNELS, TAG, type FdoExtension } from './types';
import { createWatchdog } from './watchdog';

export function createDriver(k: KernelServices): DRIVER_INITIALIZE {
  const engine = createEngine(k);
  const watchdog = createWatchdog(k, engine);
  /** DriverEntry's copy of the registry path (its buffer is freed after DriverEntry returns, F43). */
  let pathCopy: Uint8Array | null = null;

  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as FdoExtension;

  /** Forwards the IRP and waits for the lower drivers to complete it (F103: handled on the way up). */
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
  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  /** Passes the IRP down; `success` only for IRPs this driver handled (F104: others keep their status). */
  const passDown = (fdo: FdoExtension, irp: IRP, success: boolean): NTSTATUS => {
    if (success) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(fdo.lower, irp);
  };
  const notify = (fdo: FdoExtension, code: number) =>
    fdo.notify?.(fdo.provider!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });

  /** Watchdog off, NetDmaProviderStop (which drains and frees the channels), then the hardware goes (F122). Idempotent. */
  const stopAll = (fdo: FdoExtension) => {
    watchdog.disarm(fdo);
    if (fdo.providerStarted) {
      k.NetDmaProviderStop(fdo.provider!);
      fdo.providerStarted = false;
    }
    engine.stopHardware(fdo);
  };

  /** With MSI-X, point each channel's message at the CPU NetDMA asked for (F47, F52), in every alternative list. */
  const applyAffinities = (fdo: FdoExtension, irp: IRP) => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (!fdo.affinities || !list) return;
    for (const alt of list.List) {
      let message = 0;
      for (const d of alt.Descriptors) {
        if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
        const cpu = fdo.affinities.get(message++);
        if (cpu === undefined || cpu >= 64) continue;
        d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
        d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
        d.u.Interrupt.Group = 0;
      }
    }
  };

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    switch (sl.MinorFunction) {
      case IRP_MN_START_DEVICE: {
        const st = forwardAndWait(fdo, irp);
        if (!NT_SUCCESS(st)) return complete(irp, st); // F105
        // A START on a started device (new resources): release the old set first.
        if (fdo.providerStarted || fdo.regs !== null) stopAll(fdo);
        const res = sl.Parameters.StartDevice?.AllocatedResourcesTranslated;
        const result = res ? engine.startHardware(fdo, res) : STATUS_INSUFFICIENT_RESOURCES;
        if (NT_SUCCESS(result)) watchdog.arm(fdo);
        return complete(irp, result);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = forwardAndWait(fdo, irp);
        if (NT_SUCCESS(st)) applyAffinities(fdo, irp);
        return complete(irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
      case IRP_MN_QUERY_REMOVE_DEVICE:
        return passDown(fdo, irp, true);
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        forwardAndWait(fdo, irp);
        return complete(irp, STATUS_SUCCESS); // never failed (F109, F112)
      case IRP_MN_STOP_DEVICE:
        stopAll(fdo);
        return passDown(fdo, irp, true);
      case IRP_MN_SURPRISE_REMOVAL:
        stopAll(fdo);
        fdo.surpriseRemoved = true;
        return passDown(fdo, irp, true);
      case IRP_MN_REMOVE_DEVICE: {
        stopAll(fdo); // nothing left to do after SURPRISE_REMOVAL
        if (fdo.provider) k.NetDmaDeregisterProvider(fdo.provider);
        fdo.provider = null;
        k.IoFreeWorkItem(fdo.powerWorkItem);
        k.ExFreePoolWithTag(fdo.contextBlock, TAG);
        const st = passDown(fdo, irp, true);
        k.IoDetachDevice(fdo.lower);
        k.IoDeleteDevice(fdo.self);
        return st;
      }
      default:
        return passDown(fdo, irp, false);
    }
  };

  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    if (sl.MinorFunction !== IRP_MN_SET_POWER || sl.Parameters.Power?.Type !== DevicePowerState) {
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(fdo.lower, irp);
    }
    if (sl.Parameters.Power.State.DeviceState !== PowerDeviceD0) {
      watchdog.disarm(fdo); // the engine loses its registers below D0
      const mustNotify = fdo.providerStarted && fdo.notify !== null && !fdo.poweredDown;
      if (mustNotify) {
        notify(fdo, NetDmaNotificationProviderPowerDown); // before leaving D0 (F50)
        fdo.poweredDown = true;
      }
      fdo.lostContext = true;
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(fdo.lower, irp);
    }
    // Back to D0: finish on the way up, at PASSIVE_LEVEL in a work item.
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, () => {
      k.IoQueueWorkItem(fdo.powerWorkItem, () => {
        const ok = NT_SUCCESS(irp.IoStatus.Status);
        if (ok && fdo.lostContext) {
          engine.reinitializeEngine(fdo); // before anyone restarts a channel (F39, F51)
          fdo.lostContext = false;
        }
        if (ok && fdo.poweredDown && fdo.provider) {
          notify(fdo, NetDmaNotificationProviderPowerUp); // after returning to D0 (F50)
          fdo.poweredDown = false;
        }
        if (ok && fdo.providerStarted) watchdog.arm(fdo);
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(fdo.lower, irp);
    return STATUS_PENDING;
  };

  /** Every other major function: this FDO does not handle it, so it goes down untouched. */
  const DispatchPassThrough: DRIVER_DISPATCH = (device, irp) => {
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(ext(device).lower, irp);
  };

  /** DCA only on an engine whose vendor capability says so (F17c, F40), read through BUS_INTERFACE_STANDARD. */
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
    const lower = k.IoAttachDeviceToDeviceStack(self, pdo);
    if (!lower) {
      k.IoDeleteDevice(self);
      return STATUS_NO_SUCH_DEVICE;
    }
    const contextBlock = k.ExAllocatePoolWithTag(NonPagedPoolNx, 128, TAG);
    const powerWorkItem = contextBlock ? k.IoAllocateWorkItem(self) : null;
    if (!contextBlock || !powerWorkItem) {
      if (contextBlock) k.ExFreePoolWithTag(contextBlock, TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    // NetDmaGetVersion exists from 1.1 on: looked up, never imported (F14a).
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() : 0x0001_0000;
    const version = Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notifyFn = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const fdo: FdoExtension = {
      self, pdo, lower, version, dca: version >= 0x200 && engineDoesDca(pdo), notify: notifyFn, contextBlock,
      lock: {}, powerWorkItem, timer: {}, timerDpc: {}, watchdogArmed: false,
      provider: null, affinities: null, providerStarted: false, poweredDown: false, lostContext: false, surpriseRemoved: false,
      regs: null, regsLength: 0, messageTable: null, lineInterrupt: null, connectedMessageBased: false,
      channelCount: 0, messageCpus: [], channels: [],
    };
    k.KeInitializeSpinLock(fdo.lock);
    watchdog.initialize(fdo);
    self.DeviceExtension['fdo'] = fdo;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: fdo.dca ? NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED : 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...engine.handlers,
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString('Timer-watchdog I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(fdo, handle, chars);
    if (!NT_SUCCESS(st)) {
      k.IoFreeWorkItem(powerWorkItem);
      k.ExFreePoolWithTag(contextBlock, TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return st;
    }
    fdo.provider = handle.value!;
    self.Flags |= lower.Flags & DO_POWER_PAGABLE;
    self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (pathCopy) k.ExFreePoolWithTag(pathCopy, TAG);
    pathCopy = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, path) => {
    const copy = k.ExAllocatePoolWithTag(NonPagedPoolNx, path.Length + 2, TAG);
    if (!copy) return STATUS_INSUFFICIENT_RESOURCES;
    pathCopy = copy;
    for (let m = 0; m <= IRP_MJ_MAXIMUM_FUNCTION; m++) driver.MajorFunction[m] = DispatchPassThrough;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
