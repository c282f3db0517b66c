/**
 * remove-lock: a NetDMA provider whose FDO is guarded by an IO_REMOVE_LOCK, as the WDM pages
 * recommend (adddevice-routines-in-function-or-filter-drivers.md step 4, removing-a-device-in-a-
 * function-driver.md step 4), plus the QUERY_STOP drain of handling-an-irp-mn-query-stop-device-
 * request (an I/O count with a bias of one and an event).
 *
 * The engine side (registers, the nine handlers, ISR and DPC, bring-up and tear-down) is the
 * reference provider's, copied; this file wraps the handlers and the DPC in the remove lock and
 * the I/O count, and owns DriverEntry, AddDevice, the dispatch routines and Unload.
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
  IRP_MJ_CREATE,
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
  STATUS_DELETE_PENDING,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
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
  type KDEFERRED_ROUTINE,
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
import { createHandlers, reinitializeEngine, type ProviderHandlers } from './channels';
import { REFERENCE_MAX_CHANNELS, REFERENCE_TAG, type ChannelContext, type FdoExtension } from './device-extension';
import { startHardware, stopHardware } from '../../../src/reference/hardware';
import { createInterrupts, type Interrupts } from '../../../src/reference/interrupts';

const noBug = (): boolean => false;

/** Builds one driver image; all state lives in this closure or in device extensions. */
export function createRemoveLockDriver(k: KernelServices): DRIVER_INITIALIZE {
  /** DriverEntry's driver-wide block (freed at Unload). */
  let globals: Uint8Array | null = null;

  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as FdoExtension;

  // ---- the outstanding-request count (handling-an-irp-mn-query-stop-device-request, step 4) ----
  const ioIn = (fdo: FdoExtension) => {
    k.InterlockedIncrement(fdo.ioCount);
  };
  const ioOut = (fdo: FdoExtension) => {
    if (k.InterlockedDecrement(fdo.ioCount) === 0) k.KeSetEvent(fdo.ioDrained, 0, false);
  };
  /** Drops the bias, waits until nothing is outstanding, takes the bias back. PASSIVE_LEVEL. */
  const drain = (fdo: FdoExtension) => {
    k.KeClearEvent(fdo.ioDrained);
    if (k.InterlockedDecrement(fdo.ioCount) !== 0) k.KeWaitForSingleObject(fdo.ioDrained, 0, 0, false, null);
    k.InterlockedIncrement(fdo.ioCount);
  };

  /**
   * Runs `body` holding the remove lock and counted as an outstanding request. When the lock is
   * refused (REMOVE has begun) returns `refused` without running it.
   */
  const guarded = <T>(fdo: FdoExtension, refused: T, body: () => T): T => {
    const tag = {}; // one tag per acquisition
    if (!NT_SUCCESS(k.IoAcquireRemoveLock(fdo.removeLock, tag))) return refused;
    ioIn(fdo);
    const r = body();
    ioOut(fdo);
    k.IoReleaseRemoveLock(fdo.removeLock, tag);
    return r;
  };

  // ---- the engine side, guarded ----
  const rawIsr = createInterrupts(k);
  const dpc: KDEFERRED_ROUTINE = (d, context, a1, a2) => {
    const ch = context as ChannelContext;
    guarded(ch.fdo, undefined, () => rawIsr.dpc(d, context, a1, a2));
  };
  const isr: Interrupts = { messageIsr: rawIsr.messageIsr, lineIsr: rawIsr.lineIsr, dpc, setMutations: (b) => rawIsr.setMutations(b) };
  const raw: ProviderHandlers = createHandlers(k, isr, noBug, (context) => context as FdoExtension);
  const chFdo = (context: unknown) => (context as ChannelContext).fdo;
  const handlers: ProviderHandlers = {
    SetDmaChannelCpuAffinity: (c, a, s) => guarded(c as FdoExtension, STATUS_UNSUCCESSFUL, () => raw.SetDmaChannelCpuAffinity(c, a, s)),
    AllocateDmaChannel: (c, p, h, o) => guarded(c as FdoExtension, STATUS_UNSUCCESSFUL, () => raw.AllocateDmaChannel(c, p, h, o)),
    FreeDmaChannel: (c) => {
      // Freeing has no way to fail: free even if the lock is refused (it never is before
      // REMOVE, whose NetDmaProviderStop frees every channel before the lock closes).
      const fdo = chFdo(c);
      const tag = {};
      const held = NT_SUCCESS(k.IoAcquireRemoveLock(fdo.removeLock, tag));
      if (held) ioIn(fdo);
      raw.FreeDmaChannel(c);
      if (held) {
        ioOut(fdo);
        k.IoReleaseRemoveLock(fdo.removeLock, tag);
      }
    },
    StartDma: (c, va, pa, n) => guarded(chFdo(c), STATUS_UNSUCCESSFUL, () => raw.StartDma(c, va, pa, n)),
    AppendDma: (c, va, pa, n) => guarded(chFdo(c), STATUS_UNSUCCESSFUL, () => raw.AppendDma(c, va, pa, n)),
    SuspendDma: (c, out) => guarded(chFdo(c), STATUS_UNSUCCESSFUL, () => raw.SuspendDma(c, out)),
    ResumeDma: (c) => guarded(chFdo(c), STATUS_UNSUCCESSFUL, () => raw.ResumeDma(c)),
    AbortDma: (c) => guarded(chFdo(c), STATUS_UNSUCCESSFUL, () => raw.AbortDma(c)),
    ResetChannel: (c) => guarded(chFdo(c), STATUS_UNSUCCESSFUL, () => raw.ResetChannel(c)),
  };

  /**
   * NetDmaProviderStop (NetDMA frees every channel meanwhile, through the guarded handlers), then
   * wait for any handler or DPC still running, then release the hardware (F122).
   */
  const stopProviderAndHardware = (fdo: FdoExtension, wait: 'drain' | 'none') => {
    if (fdo.providerStarted) {
      k.NetDmaProviderStop(fdo.provider!);
      fdo.providerStarted = false;
    }
    if (wait === 'drain') drain(fdo);
    stopHardware(k, fdo);
  };

  // ---- IRP helpers ----
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
  const complete = (irp: IRP, st: NTSTATUS): NTSTATUS => {
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
    const st0 = k.IoAcquireRemoveLock(fdo.removeLock, irp);
    if (!NT_SUCCESS(st0)) return complete(irp, st0); // STATUS_DELETE_PENDING
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    if (minor === IRP_MN_REMOVE_DEVICE) return removeDevice(fdo, irp); // releases the lock and waits
    const st = pnp(fdo, irp, minor);
    k.IoReleaseRemoveLock(fdo.removeLock, irp);
    return st;
  };

  const pnp = (fdo: FdoExtension, irp: IRP, minor: number): NTSTATUS => {
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
        const resources = res?.AllocatedResourcesTranslated;
        const st = forwardAndWait(fdo, irp);
        if (!NT_SUCCESS(st)) return complete(irp, st); // F105: a START failed below is not continued
        if (fdo.regs !== null) {
          // Already started (a new resource set for a started device, F105): release the old
          // resources first, as a STOP would.
          stopProviderAndHardware(fdo, 'drain');
        }
        fdo.stopPending = false;
        return complete(irp, resources ? startHardware(k, fdo, resources, isr, noBug) : STATUS_INSUFFICIENT_RESOURCES);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = forwardAndWait(fdo, irp);
        if (NT_SUCCESS(st)) applyAffinities(fdo, irp);
        return complete(irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
        // Nothing this driver queues needs the device, so it can be stopped: wait for whatever is
        // in progress (F108), enter stop-pending and pass the IRP down.
        drain(fdo);
        fdo.stopPending = true;
        return passDown(fdo, irp, true);
      case IRP_MN_CANCEL_STOP_DEVICE: {
        forwardAndWait(fdo, irp);
        fdo.stopPending = false;
        return complete(irp, STATUS_SUCCESS); // never failed (F109)
      }
      case IRP_MN_STOP_DEVICE:
        stopProviderAndHardware(fdo, 'drain'); // NetDmaProviderStop before the resources go (F122)
        fdo.stopPending = false;
        return passDown(fdo, irp, true);
      case IRP_MN_QUERY_REMOVE_DEVICE:
        fdo.removePending = true; // new creates fail from now on (F111)
        return passDown(fdo, irp, true);
      case IRP_MN_CANCEL_REMOVE_DEVICE: {
        forwardAndWait(fdo, irp);
        fdo.removePending = false;
        return complete(irp, STATUS_SUCCESS); // never failed (F112)
      }
      case IRP_MN_SURPRISE_REMOVAL:
        fdo.surpriseRemoved = true;
        stopProviderAndHardware(fdo, 'drain'); // release the hardware (F114); the FDO stays until REMOVE
        return passDown(fdo, irp, true);
      default:
        return passDown(fdo, irp, false); // untouched
    }
  };

  /** REMOVE (removing-a-device-in-a-function-driver.md), entered holding the lock for `irp`. */
  const removeDevice = (fdo: FdoExtension, irp: IRP): NTSTATUS => {
    fdo.removing = true;
    // NetDMA frees its channels through the handlers, which still take the lock.
    if (fdo.providerStarted) {
      k.NetDmaProviderStop(fdo.provider!);
      fdo.providerStarted = false;
    }
    // Step 4: no new requests, and every one in progress (handlers, DPCs, power IRPs) done.
    k.IoReleaseRemoveLockAndWait(fdo.removeLock, irp);
    stopHardware(k, fdo); // step 7 (already done after a SURPRISE_REMOVAL or a STOP)
    if (fdo.provider) k.NetDmaDeregisterProvider(fdo.provider); // F123, before IoDeleteDevice
    fdo.provider = null;
    k.IoFreeWorkItem(fdo.powerWorkItem);
    k.ExFreePoolWithTag(fdo.contextBlock, REFERENCE_TAG);
    const st = passDown(fdo, irp, true); // step 8: no completion routine, no wait
    k.IoDetachDevice(fdo.lower);
    k.IoDeleteDevice(fdo.self);
    return st;
  };

  // ---- power ----
  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const st0 = k.IoAcquireRemoveLock(fdo.removeLock, irp);
    if (!NT_SUCCESS(st0)) {
      k.PoStartNextPowerIrp(irp);
      return complete(irp, st0);
    }
    ioIn(fdo);
    const done = () => {
      ioOut(fdo);
      k.IoReleaseRemoveLock(fdo.removeLock, irp);
    };
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    if (sl.MinorFunction !== IRP_MN_SET_POWER || sl.Parameters.Power?.Type !== DevicePowerState) {
      k.PoStartNextPowerIrp(irp);
      k.IoSkipCurrentIrpStackLocation(irp);
      const st = k.PoCallDriver(fdo.lower, irp);
      done();
      return st;
    }
    if (sl.Parameters.Power.State.DeviceState !== PowerDeviceD0) {
      if (fdo.providerStarted && fdo.notify !== null && !fdo.poweredDown) {
        notify(fdo, NetDmaNotificationProviderPowerDown); // before leaving D0 (F50)
        fdo.poweredDown = true;
      }
      fdo.lostContext = true; // the engine loses its registers in D3
      k.PoStartNextPowerIrp(irp);
      k.IoSkipCurrentIrpStackLocation(irp);
      const st = k.PoCallDriver(fdo.lower, irp);
      done();
      return st;
    }
    // Back to D0: finish on the way up, at PASSIVE_LEVEL in a work item; the lock and the count
    // are released there, once the IRP is completed.
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
        done();
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(fdo.lower, irp);
    return STATUS_PENDING;
  };

  // ---- every other major function: passed down untouched, under the lock ----
  const DispatchOther: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const st0 = k.IoAcquireRemoveLock(fdo.removeLock, irp);
    if (!NT_SUCCESS(st0)) return complete(irp, st0);
    const major = k.IoGetCurrentIrpStackLocation(irp).MajorFunction;
    let st: NTSTATUS;
    if (major === IRP_MJ_CREATE && (fdo.removePending || fdo.surpriseRemoved || fdo.removing)) {
      st = complete(irp, STATUS_DELETE_PENDING); // F111: after QUERY_REMOVE, fail new creates
    } else {
      ioIn(fdo);
      k.IoSkipCurrentIrpStackLocation(irp);
      st = k.IoCallDriver(fdo.lower, irp);
      ioOut(fdo); // no completion routine: right after IoCallDriver (query-stop page, step 4)
    }
    k.IoReleaseRemoveLock(fdo.removeLock, irp);
    return st;
  };

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
    const contextBlock = k.ExAllocatePoolWithTag(NonPagedPoolNx, 128, REFERENCE_TAG);
    const powerWorkItem = contextBlock ? k.IoAllocateWorkItem(self) : null;
    if (!contextBlock || !powerWorkItem) {
      if (contextBlock) k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
      k.IoDeleteDevice(self);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const lower = k.IoAttachDeviceToDeviceStack(self, pdo);
    if (!lower) {
      k.IoFreeWorkItem(powerWorkItem);
      k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
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
      removeLock: {}, ioCount: { value: 1 }, ioDrained: {}, stopPending: false, removePending: false, surpriseRemoved: false, removing: false,
    };
    // Step 4 of adddevice-routines-in-function-or-filter-drivers.md: the remove lock; and the
    // query-stop page's I/O count (1) and its event (not signaled). Before registering: NetDMA
    // may call the (guarded) affinity handler from NetDmaRegisterProvider.
    k.IoInitializeRemoveLock(fdo.removeLock, REFERENCE_TAG, 0, 0);
    k.KeInitializeEvent(fdo.ioDrained, NotificationEvent, false);
    k.KeClearEvent(fdo.ioDrained);
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
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString('Remove-lock I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    st = k.NetDmaRegisterProvider(fdo, handle, chars);
    if (!NT_SUCCESS(st)) {
      k.IoFreeWorkItem(powerWorkItem);
      k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return st;
    }
    fdo.provider = handle.value!;
    self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (globals) k.ExFreePoolWithTag(globals, REFERENCE_TAG);
    globals = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, _path) => {
    // Driver-wide state: one nonpaged block (nothing of RegistryPath is kept, F43).
    globals = k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, REFERENCE_TAG);
    if (!globals) return STATUS_INSUFFICIENT_RESOURCES;
    driver.DriverExtension.AddDevice = AddDevice;
    for (let mj = 0; mj <= IRP_MJ_MAXIMUM_FUNCTION; mj++) driver.MajorFunction[mj] = DispatchOther;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
