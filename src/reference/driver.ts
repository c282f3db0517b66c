import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DO_DEVICE_INITIALIZING,
  DO_POWER_PAGABLE,
  DevicePowerState,
  ENGINE_CAPABILITY,
  ENGINE_FEATURE_DCA,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IO_NO_INCREMENT,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_DEVICE_USAGE_NOTIFICATION,
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_ID,
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
  DelayedWorkQueue,
  PCI_WHICHSPACE_CONFIG,
  PowerDeviceD0,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NO_SUCH_DEVICE,
  STATUS_NOT_SUPPORTED,
  STATUS_UNSUCCESSFUL,
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
  type KSPIN_LOCK,
  type KernelServices,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
  type UNICODE_STRING,
} from '../candidate-api';
import { createHandlers, reinitializeEngine } from './channels';
import { REFERENCE_MAX_CHANNELS, REFERENCE_TAG, type FdoExtension } from './device-extension';
import { startHardware, stopHardware, stopProviderAndHardware } from './hardware';
import { createInterrupts } from './interrupts';
import { NO_MUTATIONS, type Mutation } from './mutations';

/**
 * Builds one image of the reference provider. Every piece of state lives in this closure or in
 * device extensions, so two loads share nothing.
 */
export function createReferenceDriver(k: KernelServices, mutations: ReadonlySet<Mutation> = NO_MUTATIONS): DRIVER_INITIALIZE {
  const bug = (x: Mutation) => mutations.has(x);
  const isr = createInterrupts(k);
  /** FDO extensions by context block, for the 'register-context-freed-early' bug (whose ProviderContext is that block). */
  const contextOwners = new WeakMap<object, FdoExtension>();
  const handlers = createHandlers(k, isr, bug, (context) => contextOwners.get(context as object) ?? (context as FdoExtension));
  /** DriverEntry's copy of the registry path (the system frees its buffer, F43) and its driver-wide block. */
  let registryPath: { block: Uint8Array; globals: Uint8Array; text: string; kept: UNICODE_STRING | null } | null = null;

  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as FdoExtension;
  /** FDOs that went through SURPRISE_REMOVAL, for the 'surprise-forgets-deregister' bug. */
  const surpriseRemoved = new WeakSet<FdoExtension>();

  /** Forwards the IRP and waits until the lower drivers complete it (F103: handled on the way up). */
  const forwardAndWait = (fdo: FdoExtension, irp: IRP, alwaysWait = false): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, 0, false);
      return bug('irp-completion-continues') ? STATUS_SUCCESS : STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    let st = k.IoCallDriver(fdo.lower, irp);
    if (st === STATUS_PENDING || alwaysWait) {
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
    let message = 0;
    for (const d of list.List[0].Descriptors) {
      if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
      const cpu = fdo.affinities.get(message++);
      if (cpu === undefined) continue;
      d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
      d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
      d.u.Interrupt.Group = 0;
    }
  };

  /**
   * Paging, hibernation and dump files on each FDO's path (a 1.0 provider declares itself in the
   * paging path, F51): DEVICE_USAGE_NOTIFICATION is taken part in, and while any file is on the
   * path QUERY_STOP and QUERY_REMOVE are failed (F108, F111).
   */
  const specialFiles = new WeakMap<FdoExtension, number[]>();
  const inPath = (fdo: FdoExtension) => (specialFiles.get(fdo) ?? []).some((n) => n > 0);
  /** DEVICE_USAGE_NOTIFICATION: a 1.0 provider takes part (STATUS_SUCCESS, counted once the lower drivers succeed); later versions pass it down untouched. */
  const usageNotification = (fdo: FdoExtension, irp: IRP): NTSTATUS => {
    if (bug('usage-completed-here')) return complete(irp, STATUS_SUCCESS);
    if (fdo.version !== 0x100) return passDown(fdo, irp, false);
    const u = k.IoGetCurrentIrpStackLocation(irp).Parameters.UsageNotification;
    // A paging device is powered without paging: DO_POWER_PAGABLE goes before the first paging file.
    const pagable = fdo.self.Flags & DO_POWER_PAGABLE;
    if (u?.InPath && u.Type === 1) fdo.self.Flags &= ~DO_POWER_PAGABLE;
    irp.IoStatus.Status = STATUS_SUCCESS;
    const st = forwardAndWait(fdo, irp, true);
    if (NT_SUCCESS(st) && u && u.Type >= 1 && u.Type <= 3) {
      const files = specialFiles.get(fdo) ?? [0, 0, 0, 0];
      files[u.Type] = Math.max(0, files[u.Type]! + (u.InPath ? 1 : -1));
      specialFiles.set(fdo, files);
      if (bug('paging-keeps-pagable')) fdo.self.Flags |= DO_POWER_PAGABLE;
    } else {
      fdo.self.Flags |= pagable; // refused below: as it was
    }
    return complete(irp, st);
  };
  /** Channel allocations held from QUERY_STOP on, for the 'hold-never-released' bug (never released: not at CANCEL_STOP, not at START). */
  const held = new WeakSet<object>();

  const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
    if ((minor === IRP_MN_QUERY_STOP_DEVICE || minor === IRP_MN_QUERY_REMOVE_DEVICE) && inPath(fdo) && !bug('paging-no-veto')) return complete(irp, STATUS_UNSUCCESSFUL);
    if (minor === IRP_MN_QUERY_STOP_DEVICE && bug('hold-never-released')) held.add(fdo);
    if (minor === IRP_MN_FILTER_RESOURCE_REQUIREMENTS && (bug('filter-reorders-descriptors') || bug('filter-edits-not-success'))) {
      const st = forwardAndWait(fdo, irp);
      if (NT_SUCCESS(st)) applyAffinities(fdo, irp);
      if (bug('filter-reorders-descriptors')) moveBar0Last(irp);
      return complete(irp, bug('filter-edits-not-success') ? STATUS_NOT_SUPPORTED : st);
    }
    switch (minor) {
      case IRP_MN_START_DEVICE: {
        const res = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice;
        const resources = bug('start-raw-resources') ? res?.AllocatedResources : res?.AllocatedResourcesTranslated;
        // A START to a started device brings new resources (irp-mn-start-device.md), which the bus driver
        // moves the device to as it handles the IRP: before passing it down, NetDMA is told the provider
        // stops and the old interrupts and mapping go; the device then starts on the new ones (PNP-START-13).
        if (fdo.providerStarted || fdo.regs !== null) stopProviderAndHardware(k, fdo, bug('restart-keeps-old-resources') ? (x) => x === 'stop-keeps-hardware' || bug(x) : bug);
        if (bug('start-before-lower') && resources) startHardware(k, fdo, resources, isr, bug);
        let st: NTSTATUS;
        if (bug('irql-wait-at-dispatch')) {
          const old = k.KeAcquireSpinLock(fdo.lock);
          st = forwardAndWait(fdo, irp, true);
          k.KeReleaseSpinLock(fdo.lock, old);
        } else {
          st = forwardAndWait(fdo, irp);
        }
        if (!NT_SUCCESS(st) && !bug('start-continues-failed-start')) return complete(irp, st); // F105: a START failed below is not continued
        if (bug('start-before-lower')) return complete(irp, STATUS_SUCCESS);
        const final = complete(irp, resources ? startHardware(k, fdo, resources, isr, bug) : STATUS_INSUFFICIENT_RESOURCES);
        return bug('irp-pending-without-mark') ? STATUS_PENDING : final;
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        if (bug('filter-edits-on-way-down')) applyAffinities(fdo, irp);
        const st = forwardAndWait(fdo, irp);
        if (NT_SUCCESS(st)) applyAffinities(fdo, irp);
        return complete(irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
        if (bug('query-stop-stops-provider')) stopProviderAndHardware(k, fdo, bug);
        return passDown(fdo, irp, true);
      case IRP_MN_QUERY_REMOVE_DEVICE: {
        if (bug('query-remove-not-supported')) return complete(irp, STATUS_NOT_SUPPORTED);
        const st = passDown(fdo, irp, true);
        return bug('kapi-returns-undefined') ? (undefined as unknown as NTSTATUS) : st;
      }
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE: {
        forwardAndWait(fdo, irp);
        const fails = bug(minor === IRP_MN_CANCEL_STOP_DEVICE ? 'cancel-stop-fails' : 'cancel-remove-fails');
        const st = complete(irp, fails ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS); // never failed (F109, F112)
        if (bug('irp-double-complete') && minor === IRP_MN_CANCEL_REMOVE_DEVICE) k.IoCompleteRequest(irp, IO_NO_INCREMENT);
        return st;
      }
      case IRP_MN_STOP_DEVICE:
        stopProviderAndHardware(k, fdo, bug); // NetDmaProviderStop before the resources go (F122)
        if (bug('stop-completes-irp')) return complete(irp, STATUS_SUCCESS);
        return passDown(fdo, irp, true);
      case IRP_MN_SURPRISE_REMOVAL: {
        if (!bug('surprise-no-stop')) stopProviderAndHardware(k, fdo, bug); // decision A13
        const st = passDown(fdo, irp, true);
        if (bug('surprise-deletes-device')) {
          k.IoDetachDevice(fdo.lower);
          k.IoDeleteDevice(fdo.self);
        }
        if (bug('surprise-deregisters-twice') && fdo.provider) k.NetDmaDeregisterProvider(fdo.provider); // and again at REMOVE
        if (bug('surprise-forgets-deregister')) surpriseRemoved.add(fdo);
        return st;
      }
      case IRP_MN_REMOVE_DEVICE: {
        // 'surprise-forgets-deregister': believes SURPRISE_REMOVAL did all the clean-up and only passes REMOVE down.
        if (surpriseRemoved.has(fdo)) return passDown(fdo, irp, true);
        if (bug('remove-no-provider-stop') || bug('remove-stop-after-deregister')) stopHardware(k, fdo);
        else stopProviderAndHardware(k, fdo, bug);
        const deregister = () => {
          if (fdo.provider && !bug('remove-no-deregister')) k.NetDmaDeregisterProvider(fdo.provider);
          if (fdo.provider && bug('remove-stop-after-deregister')) k.NetDmaProviderStop(fdo.provider); // always stops, but after deregistering
          fdo.provider = null;
        };
        if (bug('register-context-freed-early')) k.ExFreePoolWithTag(fdo.contextBlock, REFERENCE_TAG); // while NetDMA may still use it
        if (!bug('remove-delete-before-deregister')) deregister();
        k.IoFreeWorkItem(fdo.powerWorkItem);
        if (!bug('register-context-freed-early')) k.ExFreePoolWithTag(fdo.contextBlock, REFERENCE_TAG);
        if (bug('kapi-double-free')) k.ExFreePoolWithTag(fdo.contextBlock, REFERENCE_TAG);
        const st = passDown(fdo, irp, true);
        if (!bug('remove-no-detach')) k.IoDetachDevice(fdo.lower);
        k.IoDeleteDevice(fdo.self);
        if (bug('remove-delete-before-deregister')) deregister();
        return st;
      }
      case IRP_MN_DEVICE_USAGE_NOTIFICATION:
        return usageNotification(fdo, irp);
      default:
        if (bug('query-id-completes-itself') && minor === IRP_MN_QUERY_ID) {
          irp.IoStatus.Information = 'PCI\\VEN_8086&DEV_0E20';
          return complete(irp, STATUS_SUCCESS);
        }
        if (bug('caps-completes-without-bus') && minor === IRP_MN_QUERY_CAPABILITIES) return complete(irp, STATUS_SUCCESS);
        if (bug('completion-no-mark') && minor === IRP_MN_QUERY_CAPABILITIES) {
          k.IoCopyCurrentIrpStackLocationToNext(irp);
          k.IoSetCompletionRoutine(irp, () => STATUS_SUCCESS, null, true, true, true); // forgets: if (Irp->PendingReturned) IoMarkIrpPending(Irp)
          return k.IoCallDriver(fdo.lower, irp);
        }
        if (bug('kapi-throws-on-query-capabilities')) throw new Error(`unexpected PnP minor 0x${minor.toString(16)}`);
        return passDown(fdo, irp, bug('irp-touches-unhandled-status'));
    }
  };

  /** The 'filter-reorders-descriptors' bug: BAR0 moved behind the interrupt descriptors. */
  const moveBar0Last = (irp: IRP) => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (list) list.List[0].Descriptors.push(list.List[0].Descriptors.shift()!);
  };
  /** The 'create-after-query-remove' bug: create, cleanup and close always succeed. */
  const DispatchCreateClose: DRIVER_DISPATCH = (_device, irp) => complete(irp, STATUS_SUCCESS);

  const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
    const fdo = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    if (sl.MinorFunction !== IRP_MN_SET_POWER || sl.Parameters.Power?.Type !== DevicePowerState) return passDown(fdo, irp, false);
    if (sl.Parameters.Power.State.DeviceState !== PowerDeviceD0) {
      const mustNotify = fdo.providerStarted && fdo.notify !== null && !fdo.poweredDown && !bug('power-no-notify');
      if (mustNotify && !bug('power-notify-after-pass-down')) notify(fdo, NetDmaNotificationProviderPowerDown); // before leaving D0 (F50)
      if (mustNotify) fdo.poweredDown = true;
      fdo.lostContext = true; // the engine loses its registers in D3
      k.IoSkipCurrentIrpStackLocation(irp);
      const st = k.PoCallDriver(fdo.lower, irp);
      if (mustNotify && bug('power-notify-after-pass-down')) notify(fdo, NetDmaNotificationProviderPowerDown);
      return st;
    }
    // Back to D0: finish on the way up, at PASSIVE_LEVEL in a work item; never wait here (PWR-08).
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, () => {
      k.IoQueueWorkItem(fdo.powerWorkItem, () => {
        // Re-initialize the engine before anyone restarts a channel on it (F39, F51): 1.0 NetDMA
        // issues its NULL-operation Start as soon as the device is back, 1.1+ right after PowerUp.
        if (NT_SUCCESS(irp.IoStatus.Status) && fdo.lostContext) {
          if (!bug('power-no-reinit')) reinitializeEngine(k, fdo);
          fdo.lostContext = false;
        }
        if (NT_SUCCESS(irp.IoStatus.Status) && fdo.poweredDown && fdo.provider) {
          notify(fdo, NetDmaNotificationProviderPowerUp); // after returning to D0 (F50)
          fdo.poweredDown = false;
        }
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      }, DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(fdo.lower, irp);
    return STATUS_PENDING;
  };

  /**
   * Whether the engine behind `pdo` does DCA: the ENGINE_FEATURE_DCA bit of its vendor-specific
   * PCI capability, read from configuration space through BUS_INTERFACE_STANDARD (allowed in
   * AddDevice, unlike register access). Only such an engine gets DCA_SUPPORTED (F17c, F40).
   */
  const engineDoesDca = (pdo: DEVICE_OBJECT): boolean => {
    const bus = k.IoGetBusInterfaceStandard(pdo);
    if (!bus) return false;
    const cfg = new Uint8Array(256);
    const got = bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, cfg, 0, cfg.length);
    bus.InterfaceDereference(bus.Context);
    if (got !== cfg.length) return false;
    // Walk the capability list: dword-aligned pointers past the header, bounded against loops.
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
    if (bug('add-maps-registers')) k.MmMapIoSpace(0xf_e000_0000n, 0x100, 0);
    const contextBlock = k.ExAllocatePoolWithTag(NonPagedPoolNx, 128, REFERENCE_TAG);
    const powerWorkItem = contextBlock ? k.IoAllocateWorkItem(self) : null;
    if (!contextBlock || !powerWorkItem) {
      if (contextBlock) k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    // NetDmaGetVersion exists from 1.1 on: look it up, never import it (F14a).
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() : 0x0001_0000;
    const version = bug('register-version-too-high') ? 0x200 : bug('power-notify-on-1-0') ? 0x100 : Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notifyFn = version >= 0x101 || bug('power-notify-on-1-0') ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const lock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(lock);
    const fdo: FdoExtension = {
      self, pdo, lower, version, dca: version >= 0x200 && engineDoesDca(pdo), notify: notifyFn, contextBlock, lock, powerWorkItem,
      provider: null, affinities: null, providerStarted: false, poweredDown: false, lostContext: false,
      regs: null, regsLength: 0, messageTable: null, lineInterrupt: null, connectedMessageBased: false,
      channelCount: 0, messageCpus: [], maxTransferSize: 0, channels: [],
    };
    self.DeviceExtension['fdo'] = fdo;
    const is2 = version >= 0x200;
    const chars: NET_DMA_PROVIDER_CHARACTERISTICS = {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: is2 !== bug('register-wrong-size') ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: fdo.dca ? NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED : 0, // DCA on the 2.0 interface with a DCA engine (F17c, F40)
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: bug('register-zero-max-channels') ? 0 : REFERENCE_MAX_CHANNELS,
      ...handlers,
      ...(bug('register-no-affinity-handler') ? { SetDmaChannelCpuAffinity: null } : {}),
      ...(bug('register-suspend-without-resume') ? { ResumeDma: null } : {}),
      ...(bug('hold-never-released') ? { AllocateDmaChannel: ((c, p, h, o) => (held.has(c as object) ? STATUS_UNSUCCESSFUL : handlers.AllocateDmaChannel(c, p, h, o))) as typeof handlers.AllocateDmaChannel } : {}),
      ...(is2 ? { FriendlyName: k.RtlInitUnicodeString(bug('register-no-friendly-name') ? '' : 'Reference I/OAT-class NetDMA provider') } : {}),
    };
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    if (bug('register-context-freed-early')) contextOwners.set(contextBlock, fdo);
    st = k.NetDmaRegisterProvider(bug('register-context-freed-early') ? contextBlock : fdo, handle, chars);
    if (NT_SUCCESS(st) && bug('add-registers-twice')) k.NetDmaRegisterProvider(fdo, {}, chars);
    if (!NT_SUCCESS(st) && bug('add-no-undo-on-register-failure')) return st;
    if (!NT_SUCCESS(st)) {
      k.IoFreeWorkItem(powerWorkItem);
      k.ExFreePoolWithTag(contextBlock, REFERENCE_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(self);
      return st;
    }
    fdo.provider = handle.value!;
    if (!bug('add-leaves-initializing')) self.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (registryPath?.kept) k.DbgPrint(`unloading ${registryPath.kept.Buffer}`);
    if (registryPath && !bug('unload-leaks-registry-copy')) k.ExFreePoolWithTag(registryPath.block, REFERENCE_TAG);
    if (registryPath) k.ExFreePoolWithTag(registryPath.globals, REFERENCE_TAG);
    registryPath = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, path) => {
    const block = k.ExAllocatePoolWithTag(NonPagedPoolNx, path.Length + 2, REFERENCE_TAG);
    if (!block) return STATUS_INSUFFICIENT_RESOURCES;
    const globals = k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, REFERENCE_TAG);
    if (!globals) {
      if (!bug('entry-leaks-on-failure')) k.ExFreePoolWithTag(block, REFERENCE_TAG); // F117: undo on failure
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    registryPath = { block, globals, text: path.Buffer, kept: bug('entry-keeps-registry-path') ? path : null };
    if (bug('entry-registers-provider')) k.NetDmaRegisterProvider(null, {}, {} as NET_DMA_PROVIDER_CHARACTERISTICS);
    driver.DriverExtension.AddDevice = AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    if (bug('create-after-query-remove')) for (const mj of [IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE]) driver.MajorFunction[mj] = DispatchCreateClose;
    if (!bug('entry-no-unload-routine')) driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
