import type { Verifier } from '../verifier/verifier';
import { PASSIVE_LEVEL, SIMULATED_DIRQL } from '../api/irql';
import { NT_SUCCESS, STATUS_NOT_SUPPORTED, STATUS_PENDING, STATUS_SUCCESS, ntStatusName } from '../api/ntstatus';
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  CmResourceTypeMemory,
  DO_DEVICE_INITIALIZING,
  DevicePowerState,
  CTL_CODE,
  DEVICE_CAPABILITIES_SIZE,
  FILE_ANY_ACCESS,
  FILE_DEVICE_UNKNOWN,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  METHOD_BUFFERED,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MJ_SHUTDOWN,
  IRP_MJ_SYSTEM_CONTROL,
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_SET_POWER,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IrqPolicyMachineDefault,
  IrqPolicySpecifiedProcessors,
  PagedPool,
  PowerActionNone,
  PowerDeviceD0,
  PowerDeviceD1,
  PowerDeviceD2,
  PowerDeviceD3,
  PowerDeviceUnspecified,
  PowerSystemUnspecified,
  PowerSystemWorking,
  SystemPowerState,
  type IO_STACK_PARAMETERS,
  type CM_PARTIAL_RESOURCE_DESCRIPTOR,
  type CM_RESOURCE_LIST,
  type DEVICE_CAPABILITIES,
  type DEVICE_OBJECT,
  type DRIVER_INITIALIZE,
  type FILE_OBJECT,
  type IO_STACK_LOCATION,
  type IRP,
  type DRIVER_OBJECT,
  type IO_RESOURCE_DESCRIPTOR,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type UNICODE_STRING,
} from '../api/wdm';
import type { IrpOutcome } from '../../model/lifecycle/observation';
import type { KernelServices } from '../api/services';
import { callProvider } from '../ke/invoke';
import { irpName } from '../io/irp-names';
import type { PnpHost } from './pnp-host';

export type { PnpHost };
import type { AssignedResources, SimDevice } from '../hal/sim-device';
import { workItem, type WorkItem } from '../ke/scheduler';
import type { InterruptRecord } from '../hal/hal';
import { tagName } from '../ex/pool';
import { shown } from '../verifier/trace-log';
import { accessorOf, hiddenState, hide } from '../ob/hidden';

/** What the RegistryPath accessor reads: the buffer, valid until DriverEntry returns (F43). */
interface RegistryPathState {
  readonly m: PnpHost;
  valid: boolean;
  readonly buffer: string;
}

/** DRIVER_OBJECT.DeviceObject: the first of the driver's device objects not deleted. */
const DRIVER_DEVICE_OBJECT = accessorOf(
  {
    get DeviceObject(): DEVICE_OBJECT | null {
      const m = hiddenState<PnpHost>(this);
      return m?.objects.driverDevices().find((d) => !d.deleted)?.obj ?? null;
    },
  },
  'DeviceObject',
);

/** RegistryPath->Buffer: the system's buffer, freed when DriverEntry returns and never the driver's to write. */
const REGISTRY_PATH_BUFFER = accessorOf(
  {
    get Buffer(): string {
      const s = hiddenState<RegistryPathState>(this)!;
      s.m.verifier.check('DRV-ENTRY-02', s.valid, () => 'the RegistryPath buffer was read after DriverEntry returned; copy the string if it is kept');
      return s.buffer;
    },
    set Buffer(_v: string) {
      hiddenState<RegistryPathState>(this)!.m.verifier.fail('DRV-ENTRY-02', 'the driver wrote into the RegistryPath buffer, which the system owns');
    },
  },
  'Buffer',
);

/** `FILE_OPEN`, the create disposition of an ordinary open (in the high byte of Create.Options). */
const FILE_OPEN = 0x0000_0001;

/** A candidate driver image: given the kernel services, returns its DriverEntry. */
export type DriverImageLoader = (services: KernelServices) => DRIVER_INITIALIZE;

/** Simulated time between two PnP/power IRPs the managers send (10 ms, in 100 ns units): timers expire in it. */
export const IRP_GAP_TICKS = 100_000n;

const BAR_STRIDE = 0x10_0000n;
const TRANSLATED_BAR_BASE = 0xf_e000_0000n;
const RAW_BAR_BASE = 0x8000_0000n;

/**
 * The PnP and power managers: load the driver, enumerate engines (AddDevice), send PnP and power
 * IRPs to device stacks, assign resources at START, deliver interrupts, and unload the driver.
 */
export class PnpManager {
  driver: DRIVER_OBJECT | null = null;
  loaded = false;
  unloaded = false;
  #startCount = 0;
  /** Devices whose PnP state a driver invalidated (IoInvalidateDeviceState), not yet queried. */
  readonly invalidatedStates = new Set<SimDevice>();
  /** Device objects registered for IRP_MJ_SHUTDOWN (IoRegisterShutdownNotification), in registration order. */
  readonly shutdownRegistered = new Set<DEVICE_OBJECT>();
  /** The PNP_DEVICE_STATE bits each stack last answered IRP_MN_QUERY_PNP_DEVICE_STATE with (NOT_DISABLEABLE and the rest recorded). */
  readonly pnpDeviceState = new Map<SimDevice, number>();

  constructor(private readonly m: PnpHost) {}

  /** Loads the image and runs DriverEntry at PASSIVE_LEVEL. Returns DriverEntry's status. */
  loadDriver(loader: DriverImageLoader, services: KernelServices, registryPath = '\\Registry\\Machine\\System\\CurrentControlSet\\Services\\netdmaprov'): number {
    const m: PnpHost = this.m;
    const entry = callProvider(m, 'driver image loader', { cpu: 0, irql: PASSIVE_LEVEL }, 'function', () => loader(services)) as DRIVER_INITIALIZE;
    // Computed fields are shared accessors over state stamped on the object (see hidden.ts).
    const driver = { Type: 4 } as { -readonly [K in keyof DRIVER_OBJECT]: DRIVER_OBJECT[K] };
    hide(driver, m);
    Object.defineProperty(driver, 'DeviceObject', DRIVER_DEVICE_OBJECT);
    driver.DriverExtension = { AddDevice: null };
    driver.DriverUnload = null;
    driver.MajorFunction = new Array(0x1c).fill(null);
    driver.DriverName = { Length: 32, MaximumLength: 32, Buffer: '\\Driver\\netdmaprov' };
    this.driver = driver;
    // The registry path's buffer is freed when DriverEntry returns (F43): reading it later is a violation.
    const path: RegistryPathState = { m, valid: true, buffer: registryPath };
    const regPath = { Length: registryPath.length * 2, MaximumLength: registryPath.length * 2 } as UNICODE_STRING;
    hide(regPath, path);
    Object.defineProperty(regPath, 'Buffer', REGISTRY_PATH_BUFFER);
    m.phase = 'DriverEntry';
    m.trace.add('irp', 'the I/O manager loads the driver and calls DriverEntry');
    const poolBefore = m.pool.liveCount;
    let status: number;
    try {
      status = callProvider(m, 'DriverEntry', { cpu: 0, irql: PASSIVE_LEVEL }, 'ntstatus', () => entry(driver, regPath)) as number;
    } finally {
      path.valid = false;
      m.phase = 'Idle';
    }
    m.verifier.exercised('DRV-ENTRY-05');
    if (!NT_SUCCESS(status)) {
      const leaked = m.pool.liveCount - poolBefore;
      const devs = m.objects.driverDevices().filter((d) => !d.deleted).length;
      m.verifier.check('DRV-ENTRY-03', leaked === 0 && devs === 0, () => `DriverEntry failed with ${ntStatusName(status)} but left ${leaked} pool allocation(s) and ${devs} device object(s) behind`);
      return status;
    }
    const missing: string[] = [];
    if (typeof driver.DriverExtension.AddDevice !== 'function') missing.push('DriverExtension->AddDevice');
    if (typeof driver.MajorFunction[IRP_MJ_PNP] !== 'function') missing.push('MajorFunction[IRP_MJ_PNP]');
    if (typeof driver.MajorFunction[IRP_MJ_POWER] !== 'function') missing.push('MajorFunction[IRP_MJ_POWER]');
    if (typeof driver.DriverUnload !== 'function') missing.push('DriverUnload');
    m.verifier.check('DRV-ENTRY-01', missing.length === 0, () => `DriverEntry returned success without setting ${missing.join(', ')}`);
    this.loaded = true;
    return status;
  }

  /** Enumerates a new engine and calls AddDevice. Returns the device and AddDevice's status. */
  addDevice(): { device: SimDevice; status: number } {
    const m: PnpHost = this.m;
    const dev = m.plugDevice();
    const add = this.driver!.DriverExtension.AddDevice!;
    m.phase = 'AddDevice';
    m.currentAddDevicePdo = dev.pdo;
    m.netdma.registrationsInAddDevice = 0;
    const created = new Set(m.objects.driverDevices().map((d) => d.obj));
    let status: number;
    m.trace.add('irp', () => `the PnP manager enumerates ${dev.pdo.Name} and calls AddDevice`);
    try {
      status = callProvider(m, `AddDevice(${dev.pdo.Name})`, { cpu: 0, irql: PASSIVE_LEVEL }, 'ntstatus', () => add(this.driver!, dev.pdo)) as number;
    } finally {
      m.phase = 'Idle';
      m.currentAddDevicePdo = null;
    }
    const v: Verifier = m.verifier;
    v.check('DRV-ADD-06', status !== STATUS_PENDING, () => 'AddDevice returned STATUS_PENDING');
    const mine = m.objects.driverDevices().filter((d) => !created.has(d.obj));
    const fdo = m.objects.device(dev.pdo)?.upper ?? null;
    const providers = m.netdma.liveProvidersOf(dev);
    if (NT_SUCCESS(status)) {
      m.po.noteFlags(dev);
      v.check('DRV-ADD-01', fdo !== null && mine.some((d) => d.obj === fdo), () => 'AddDevice succeeded without creating an FDO and attaching it to the PDO');
      v.check('DRV-ADD-02', fdo !== null && (fdo.Flags & DO_DEVICE_INITIALIZING) === 0, () => 'AddDevice returned with DO_DEVICE_INITIALIZING still set on the FDO');
      v.check('DRV-ADD-03', providers.length === 1, () => `AddDevice succeeded with ${providers.length} NetDMA provider(s) registered for the engine; it must register exactly one`);
    } else {
      const live = mine.filter((d) => !d.deleted);
      v.check('DRV-ADD-04', providers.length === 0 && fdo === null && live.length === 0, () =>
        `AddDevice failed with ${ntStatusName(status)} but left ${providers.length} provider(s) registered, ${fdo ? 'an FDO attached' : 'no FDO attached'}, ${live.length} device object(s) undeleted`);
      dev.removed = true;
    }
    return { device: dev, status };
  }

  /** The PCI bus driver's requirements: BAR0 plus one MSI-X message per channel (or one MSI message, or one line interrupt). */
  baseRequirements(dev: SimDevice): IO_RESOURCE_REQUIREMENTS_LIST {
    const m: PnpHost = this.m;
    const descriptors: IO_RESOURCE_DESCRIPTOR[] = [
      { Type: CmResourceTypeMemory, Flags: 0, u: { Memory: { Length: dev.pci.bar0Length, Alignment: 0x1000, MinimumAddress: 0n, MaximumAddress: 0xffff_ffff_ffffn } } },
    ];
    // MSI-X: one message per channel; MSI: one message for every channel; line: one interrupt.
    const count = m.options.msix ? dev.channelCount : 1;
    for (let i = 0; i < count; i++) {
      descriptors.push({
        Type: CmResourceTypeInterrupt,
        Flags: m.options.interrupts !== 'line' ? CM_RESOURCE_INTERRUPT_MESSAGE : 0,
        u: { Interrupt: { MinimumVector: 0, MaximumVector: 0xffff_ffff, AffinityPolicy: IrqPolicyMachineDefault, PriorityPolicy: 0, TargetedProcessors: 0n, Group: 0 } },
      });
    }
    return { ListSize: 32 + 32 * descriptors.length, AlternativeLists: 1, List: [{ Version: 1, Revision: 1, Count: descriptors.length, Descriptors: descriptors }] };
  }

  /** Resources for a START, derived from the filtered requirements; the BAR moves on each START. */
  private assign(dev: SimDevice): AssignedResources {
    const m: PnpHost = this.m;
    const req = dev.requirements ?? this.baseRequirements(dev);
    const slot = BigInt(this.#startCount++ % 8) * BAR_STRIDE + BigInt(dev.index) * 8n * BAR_STRIDE;
    const bar0 = TRANSLATED_BAR_BASE + slot;
    const rawBar = RAW_BAR_BASE + slot;
    const ints = req.List[0].Descriptors.filter((d): d is Extract<IO_RESOURCE_DESCRIPTOR, { Type: 2 }> => d.Type === CmResourceTypeInterrupt);
    const messageBased = m.options.interrupts !== 'line';
    const cpus = ints.map((d, i) => {
      const i0 = d.u.Interrupt;
      if (i0.AffinityPolicy === IrqPolicySpecifiedProcessors && i0.TargetedProcessors !== 0n) {
        // The lowest processor of the targeted set.
        let c = 0;
        while (((i0.TargetedProcessors >> BigInt(c)) & 1n) === 0n) c++;
        return c % m.options.cpus;
      }
      return i % m.options.cpus;
    });
    const length = dev.pci.bar0Length;
    return { raw: resourceList(rawBar, length, cpus, messageBased, 0x10), translated: resourceList(bar0, length, cpus, messageBased, 0x60), bar0, messageCpus: cpus, messageBased };
  }

  /**
   * IoInvalidateDeviceState: the PnP manager queues the query; it sends IRP_MN_QUERY_PNP_DEVICE_STATE
   * from its own thread later (the run does so at its next turn), never inside the driver's call.
   */
  invalidateDeviceState(dev: SimDevice): void {
    this.invalidatedStates.add(dev);
  }

  /**
   * The I/O manager's shutdown notification: IRP_MJ_SHUTDOWN at PASSIVE_LEVEL to each registered
   * device object, in registration order, before the power manager's S5 IRPs (ReactOS
   * IoShutdownSystem). Each IRP must be completed (IRP-01, IRP-05). Returns the outcomes.
   */
  sendShutdownNotifications(): IrpOutcome[] {
    const out: IrpOutcome[] = [];
    for (const obj of [...this.shutdownRegistered]) {
      const rec = this.m.objects.device(obj);
      if (!rec || rec.deleted) continue;
      out.push(this.send(rec.device, IRP_MJ_SHUTDOWN, 0, undefined, undefined, { initialStatus: STATUS_SUCCESS, setup: () => undefined }, obj));
    }
    return out;
  }

  /** Sends one PnP IRP to the top of the device's stack and waits for it, as the PnP manager does. */
  sendPnp(dev: SimDevice, minor: number): IrpOutcome {
    return this.send(dev, IRP_MJ_PNP, minor);
  }

  /**
   * Sends one IRP of the rest of the surface — a PnP query or usage notification from the PnP
   * manager, a create, device control, cleanup or close from the I/O manager, a WMI request — to
   * the top of the device's stack and waits for it. `setup` fills the stack location's Parameters
   * (and IoStatus where the sender does) as Windows does; the status starts as `initialStatus`.
   */
  sendIrp(dev: SimDevice, major: number, minor: number, initialStatus: number, setup: (loc: IO_STACK_LOCATION, irp: IRP) => void, label?: string): IrpOutcome {
    return this.send(dev, major, minor, undefined, undefined, { initialStatus, setup, ...(label !== undefined ? { label } : {}) });
  }

  /**
   * An application opens the device and closes it again: IRP_MJ_CREATE, then, when it succeeded,
   * IRP_MJ_DEVICE_CONTROL (if `ioctl`), IRP_MJ_CLEANUP and IRP_MJ_CLOSE, each on one FILE_OBJECT.
   * Returns the CREATE's outcome and those of the IRPs that followed.
   */
  openHandle(dev: SimDevice, ioctl: boolean): { create: IrpOutcome; rest: IrpOutcome[] } {
    const top = this.m.objects.topOf(dev.pdo);
    const file: FILE_OBJECT = { Type: 5, DeviceObject: top, FileName: { Length: 0, MaximumLength: 0, Buffer: '' }, FsContext: null, FsContext2: null };
    const create = this.sendIrp(dev, IRP_MJ_CREATE, 0, STATUS_SUCCESS, (loc) => {
      loc.FileObject = file;
      loc.Parameters.Create = { SecurityContext: null, Options: FILE_OPEN << 24, FileAttributes: 0, ShareAccess: 0, EaLength: 0 };
    });
    const rest: IrpOutcome[] = [];
    if (!NT_SUCCESS(create.finalStatus) || !create.completed) return { create, rest };
    if (ioctl) {
      rest.push(this.sendIrp(dev, IRP_MJ_DEVICE_CONTROL, 0, STATUS_SUCCESS, (loc, irp) => {
        loc.FileObject = file;
        (irp.AssociatedIrp as { SystemBuffer: Uint8Array | null }).SystemBuffer = new Uint8Array(16);
        loc.Parameters.DeviceIoControl = { OutputBufferLength: 16, InputBufferLength: 16, IoControlCode: CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), Type3InputBuffer: null };
      }));
    }
    rest.push(this.sendIrp(dev, IRP_MJ_CLEANUP, 0, STATUS_SUCCESS, (loc) => void (loc.FileObject = file)));
    rest.push(this.sendIrp(dev, IRP_MJ_CLOSE, 0, STATUS_SUCCESS, (loc) => void (loc.FileObject = file)));
    return { create, rest };
  }

  /** The DEVICE_CAPABILITIES the PnP manager sends with IRP_MN_QUERY_CAPABILITIES: Size and Version set, Address and UINumber -1, the rest zero. */
  initialCapabilities(): DEVICE_CAPABILITIES {
    return {
      Size: DEVICE_CAPABILITIES_SIZE, Version: 1,
      DeviceD1: false, DeviceD2: false, LockSupported: false, EjectSupported: false, Removable: false, DockDevice: false, UniqueID: false,
      SilentInstall: false, RawDeviceOK: false, SurpriseRemovalOK: false, WakeFromD0: false, WakeFromD1: false, WakeFromD2: false, WakeFromD3: false,
      HardwareDisabled: false, NonDynamic: false, WarmEjectSupported: false, NoDisplayInUI: false,
      Address: 0xffff_ffff, UINumber: 0xffff_ffff, DeviceState: [0, 0, 0, 0, 0, 0, 0], SystemWake: 0, DeviceWake: 0, D1Latency: 0, D2Latency: 0, D3Latency: 0,
    };
  }

  /** Sends IRP_MN_SET_POWER for a device power state. */
  sendPower(dev: SimDevice, to: 'D0' | 'D1' | 'D2' | 'D3'): IrpOutcome {
    const DeviceState = to === 'D0' ? PowerDeviceD0 : to === 'D1' ? PowerDeviceD1 : to === 'D2' ? PowerDeviceD2 : PowerDeviceD3;
    return this.send(dev, IRP_MJ_POWER, IRP_MN_SET_POWER, { Type: DevicePowerState, State: { DeviceState, SystemState: PowerSystemUnspecified }, ShutdownType: PowerActionNone, SystemContext: 0 }, to);
  }

  /**
   * Sends a system power IRP (IRP_MN_QUERY_POWER or IRP_MN_SET_POWER for `system`, a
   * SYSTEM_POWER_STATE, with its POWER_ACTION) to the top of the stack and waits for it, as the
   * power manager does. While it is in flight the power manager knows the stack holds it: device
   * power IRPs the driver requests then are that transition's (the power-policy owner's).
   */
  sendSystemPower(dev: SimDevice, minor: number, system: number, action: number): IrpOutcome {
    const label = `S${system - PowerSystemWorking}`;
    return this.send(dev, IRP_MJ_POWER, minor, { Type: SystemPowerState, State: { DeviceState: PowerDeviceUnspecified, SystemState: system }, ShutdownType: action, SystemContext: 0 }, label);
  }

  private send(dev: SimDevice, major: number, minor: number, powerParams?: NonNullable<IO_STACK_PARAMETERS['Power']>, power?: string, other?: { readonly initialStatus: number; readonly setup: (loc: IO_STACK_LOCATION, irp: IRP) => void; readonly label?: string }, target?: DEVICE_OBJECT): IrpOutcome {
    const m: PnpHost = this.m;
    m.letTimePass(IRP_GAP_TICKS);
    m.assertAlive();
    const top = target ?? m.objects.topOf(dev.pdo);
    const topRec = m.objects.device(top)!;
    const rec = m.io.allocate(topRec.stackSize, major, minor, other ? other.initialStatus : STATUS_NOT_SUPPORTED);
    const loc = rec.stack[rec.stack.length - 1]!;
    let restart: { readonly oldBar: bigint; readonly oldConnections: ReadonlySet<object> } | null = null;
    if (other) {
      other.setup(loc, rec.irp);
    } else if (major === IRP_MJ_PNP && minor === IRP_MN_START_DEVICE) {
      // A START to a started device (after IoInvalidateDeviceState and PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED) brings a different resource set.
      // The device keeps decoding the old BAR until the bus driver handles the START (bus-driver.ts).
      if (dev.resources !== null) restart = { oldBar: dev.resources.bar0, oldConnections: m.hal.liveConnectionsOf(dev) };
      let next = this.assign(dev);
      if (restart && next.bar0 === restart.oldBar) next = this.assign(dev);
      if (restart) dev.pendingResources = next;
      else dev.resources = next;
      loc.Parameters.StartDevice = { AllocatedResources: next.raw, AllocatedResourcesTranslated: next.translated };
    } else if (major === IRP_MJ_PNP && minor === IRP_MN_FILTER_RESOURCE_REQUIREMENTS) {
      const list = this.baseRequirements(dev);
      rec.irp.IoStatus.Information = list;
      loc.Parameters.FilterResourceRequirements = { IoResourceRequirementList: list };
    } else if (powerParams) {
      loc.Parameters.Power = powerParams;
    }
    const label = power ? `${irpName(major, minor)}(${power})` : other?.label ?? irpName(major, minor);
    const topName = shown(top.Name);
    const sender = major === IRP_MJ_PNP ? 'PnP manager' : major === IRP_MJ_POWER ? 'power manager' : major === IRP_MJ_SYSTEM_CONTROL ? 'WMI' : 'I/O manager';
    m.trace.add('irp', () => `the ${sender} sends ${label} (${rec.irp.Name}) to ${topName}`);
    const obs = m.beginObservation();
    const poolMark = m.pool.mark();
    let dispatchReturned = STATUS_PENDING;
    m.phase = 'Irp';
    const outerIrp = m.irpInFlight;
    m.irpInFlight = label;
    const isSystemPower = powerParams?.Type === SystemPowerState;
    m.po.noteFlags(dev);
    if (isSystemPower) {
      m.po.setSystemIrp(dev, rec);
      if (minor === IRP_MN_SET_POWER) {
        // PWR-10: a policy owner completes the system IRP once the device IRP it requested for it has completed.
        rec.onCompleted = (): void => {
          for (const req of m.po.requestedDuringSystemIrp(dev)) {
            if (req.minor !== IRP_MN_SET_POWER) continue;
            m.verifier.check('PWR-10', req.rec.completed, () => `${rec.label} (${label}) was completed while ${req.rec.label}, which the FDO requested for it with PoRequestPowerIrp, was still in flight; the system IRP completes from the device IRP's completion`);
          }
        };
      }
    }
    try {
      if (major === IRP_MJ_POWER) {
        // Power IRPs reach the stack at the IRQL its DO_POWER_PAGABLE / DO_POWER_INRUSH flags allow.
        const irql = m.po.dispatchIrql(dev);
        m.runAsSystem(m.cpus.current.cpu, irql, `power manager (${label})`, () => {
          dispatchReturned = m.io.callDriver(top, rec.irp, false);
        });
      } else {
        dispatchReturned = m.io.callDriver(top, rec.irp, false);
      }
      if (dispatchReturned === STATUS_PENDING || !rec.completed) {
        m.work.runUntil(() => rec.completed || m.verifier.firstViolation !== undefined);
        m.assertAlive();
        if (dispatchReturned === STATUS_PENDING) {
          m.verifier.check('IRP-05', rec.completed, () => `${label} was pended (STATUS_PENDING) and never completed`);
        } else {
          m.verifier.check('IRP-01', rec.completed, () => `${label}: the dispatch routine returned ${ntStatusName(dispatchReturned)} but neither completed the IRP nor passed it down`);
        }
      }
    } finally {
      m.phase = 'Idle';
      m.irpInFlight = outerIrp;
      m.endObservation();
      if (isSystemPower) m.po.setSystemIrp(dev, null);
    }
    const finalStatus = rec.irp.IoStatus.Status >>> 0;
    if (major === IRP_MJ_PNP) this.afterPnp(dev, minor, rec.irp.IoStatus.Information, finalStatus, poolMark, loc.Parameters.FilterResourceRequirements?.IoResourceRequirementList ?? null);
    if (major === IRP_MJ_PNP && minor === IRP_MN_QUERY_PNP_DEVICE_STATE && NT_SUCCESS(finalStatus)) {
      const bits = rec.irp.IoStatus.Information;
      this.pnpDeviceState.set(dev, typeof bits === 'number' ? bits : 0);
    }
    if (restart && dev.pendingResources) {
      // The START never reached the bus driver: the PnP manager's assignment stands all the same.
      dev.resources = dev.pendingResources;
      dev.pendingResources = null;
    }
    if (restart && NT_SUCCESS(finalStatus) && rec.completed) this.checkRestart(dev, restart.oldBar, restart.oldConnections);
    const fdo = m.objects.device(dev.pdo)?.upper ?? null;
    const fdoRec = fdo ? m.objects.device(fdo) : undefined;
    return {
      dispatchReturned,
      completed: rec.completed,
      finalStatus,
      // Counted on this IRP: device IRPs a policy owner requests meanwhile reach the bus and the FDO too.
      fdoCompletions: rec.fdoCompletions,
      lowerReceptions: rec.busReceptions,
      observations: obs,
      hardwareHeldAfter: { registers: dev.mappings, interrupts: dev.interruptConnections },
      fdoAttachedAfter: fdoRec !== undefined && !fdoRec.deleted,
      finalInformation: rec.irp.IoStatus.Information,
      fdoFlagsAfter: fdo && fdoRec && !fdoRec.deleted ? fdo.Flags : 0,
    };
  }

  /**
   * PNP-START-13: after a successful START to an already-started device, the device runs on the new
   * resources only: the old BAR unmapped, the old interrupts disconnected, the new BAR mapped, an
   * interrupt connected from the new resources, and the NetDMA provider started again.
   */
  private checkRestart(dev: SimDevice, oldBar: bigint, oldConnections: ReadonlySet<object>): void {
    const m: PnpHost = this.m;
    const bars = m.hal.liveMappedBarsOf(dev);
    const conns = m.hal.liveConnectionsOf(dev);
    const keptConns = [...conns].filter((c) => oldConnections.has(c)).length;
    const newConns = conns.size - keptConns;
    const oldMapped = bars.filter((b) => b === oldBar).length;
    const newMapped = bars.filter((b) => b === dev.resources?.bar0).length;
    const started = m.netdma.liveProvidersOf(dev)[0]?.state === 'started';
    const problems: string[] = [];
    if (oldMapped > 0) problems.push(`the old BAR (0x${oldBar.toString(16)}) is still mapped`);
    if (keptConns > 0) problems.push(`${keptConns} interrupt connection(s) made on the old resources are still connected`);
    if (newMapped === 0) problems.push('the new BAR is not mapped');
    if (newConns === 0) problems.push('no interrupt is connected from the new resources');
    if (!started) problems.push('the NetDMA provider is not started');
    m.verifier.check('PNP-START-13', problems.length === 0, () => `START to the already-started ${dev.pdo.Name} with new resources succeeded, but ${problems.join(', ')}`);
  }

  private afterPnp(dev: SimDevice, minor: number, information: unknown, status: number, poolMark: number, sentList: IO_RESOURCE_REQUIREMENTS_LIST | null): void {
    const m: PnpHost = this.m;
    if (minor === IRP_MN_FILTER_RESOURCE_REQUIREMENTS && !NT_SUCCESS(status)) {
      // Unhandled (STATUS_NOT_SUPPORTED) or failed: the PnP manager goes on with the bus driver's
      // requirements (for a failure, Windows fails the resource assignment instead; the suite does
      // not model that device problem and lets a later START use the bus driver's list).
      dev.requirements = null;
    }
    if (minor === IRP_MN_FILTER_RESOURCE_REQUIREMENTS && NT_SUCCESS(status)) {
      const list = information as IO_RESOURCE_REQUIREMENTS_LIST | null;
      const base = this.baseRequirements(dev).List[0].Descriptors;
      const got = list?.List?.[0]?.Descriptors;
      // F52 / irp-mn-filter-resource-requirements.md: the order of the resources is kept and nothing
      // the driver does not own is dropped; it may add descriptors and alternative lists.
      const shape = requirementsShape(list);
      m.verifier.check('PNP-FILTER-03', shape === null && list!.List.some((alt) => keepsInOrder(alt.Descriptors, base)),
        () => shape ?? 'no alternative list of the filtered requirements keeps the bus driver\'s descriptors in their order (one was dropped, retyped or moved)');
      dev.requirements = list;
      // A driver that replaced the list allocated the new one from paged pool (irp-mn-filter-resource-
      // requirements.md); in C the list IS that block, and the PnP manager frees it when it is done
      // with it. A candidate backs its new list with a PagedPool block of ListSize bytes allocated while
      // it handled this IRP: the PnP manager takes that block over, so it is neither the driver's leak
      // nor the driver's to free.
      if (list !== null && list !== sentList && typeof list.ListSize === 'number') m.pool.adopt(poolMark, list.ListSize, PagedPool);
      // With MSI-X, each channel's message must target the CPU NetDMA asked for (F47, F52).
      if (m.options.msix && dev.affinities && Array.isArray(got)) {
        const messages = got.filter((d): d is Extract<IO_RESOURCE_DESCRIPTOR, { Type: 2 }> => d?.Type === CmResourceTypeInterrupt);
        const wrong = messages
          .map((d, i) => ({ i, want: dev.affinities!.get(i), got: d.u?.Interrupt }))
          .filter((x) => x.want !== undefined && !(x.got?.AffinityPolicy === IrqPolicySpecifiedProcessors && x.got.TargetedProcessors === 1n << BigInt(x.want)));
        m.verifier.check('PNP-FILTER-02', wrong.length === 0, () =>
          `after FILTER_RESOURCE_REQUIREMENTS, ${wrong.length} MSI-X message(s) do not target the CPU given by ProviderSetDmaChannelCpuAffinity (message ${wrong[0]?.i}: wanted CPU ${wrong[0]?.want}, got policy ${wrong[0]?.got?.AffinityPolicy} / processors 0x${wrong[0]?.got?.TargetedProcessors?.toString(16)})`);
      }
    }
    if (minor === IRP_MN_QUERY_STOP_DEVICE) dev.stopPending = NT_SUCCESS(status);
    else if (minor === IRP_MN_CANCEL_STOP_DEVICE || minor === IRP_MN_STOP_DEVICE || minor === IRP_MN_SURPRISE_REMOVAL || minor === IRP_MN_REMOVE_DEVICE) dev.stopPending = false;
    if ((minor === IRP_MN_START_DEVICE && !NT_SUCCESS(status)) || minor === IRP_MN_STOP_DEVICE || minor === IRP_MN_SURPRISE_REMOVAL || minor === IRP_MN_REMOVE_DEVICE) {
      dev.resources = null;
    }
    if (minor === IRP_MN_SURPRISE_REMOVAL || minor === IRP_MN_REMOVE_DEVICE) m.deviceInterfaces.deviceRemoved(dev);
    if (minor === IRP_MN_REMOVE_DEVICE) {
      const refs = dev.busInterfaceReferences;
      m.verifier.check('LOWRES-REM-01', refs === 0, () => `IRP_MN_REMOVE_DEVICE completed while the driver still holds ${refs} reference(s) on ${dev.pdo.Name}'s BUS_INTERFACE_STANDARD: InterfaceDereference was not called for an interface IoGetBusInterfaceStandard (IRP_MN_QUERY_INTERFACE) returned`);
      dev.removed = true;
      dev.requirements = null;
    }
  }

  /** The engine raised MSI-X message `ch`: deliver it to the connected ISR on its processor. */
  interruptRaised(dev: SimDevice, ch: number): void {
    const m: PnpHost = this.m;
    let irq: InterruptRecord | undefined;
    // MSI: every channel signals the device's one message; the ISR reads ATTNSTATUS.
    const message = m.options.interrupts === 'msi' ? 0 : ch;
    for (const r of m.hal.interrupts.values()) {
      if (r.live && r.device === dev && (r.lineRoutine !== null || r.message === message)) {
        irq = r;
        break;
      }
    }
    const name = shown(dev.pdo.Name);
    if (!irq) {
      m.trace.add('interrupt', () => `${name} raised message ${ch} with no ISR connected (lost)`);
      return;
    }
    const cpu = irq.cpu;
    m.trace.add('interrupt', () => `${name} raises ${message === ch ? `message ${ch}` : `message ${message} for channel ${ch}`} -> CPU ${cpu}`, () => ({ message: ch, cpu }));
    m.engines.listener?.onInterruptRaised(dev, ch);
    // Delivered from the work queue, or earlier at a preemption point (engine-runner.ts); never to a
    // processor at or above DIRQL, nor while the interrupt spin lock is held.
    const item: WorkItem = workItem(
      `interrupt ${dev.pdo.Name}/${ch}`,
      () => m.cpus.irqlOf(irq.cpu) < SIMULATED_DIRQL && !m.cpus.lockOwner.has(irq.lock),
      () => {
        m.engines.untrack(item);
        if (!irq.live) return;
        m.engines.listener?.onIsr(dev, ch);
        m.cpus.lockOwner.set(irq.lock, irq.cpu);
        try {
          callProvider(m, `ISR(${dev.pdo.Name}, message ${message})`, { cpu: irq.cpu, irql: SIMULATED_DIRQL }, 'boolean', () =>
            irq.messageRoutine ? irq.messageRoutine(irq.obj, irq.context, message) : irq.lineRoutine!(irq.obj, irq.context));
        } finally {
          m.cpus.lockOwner.delete(irq.lock);
        }
      },
    );
    m.work.push(item);
    m.engines.track(item);
  }

  /** Calls DriverUnload once every device is removed, then audits what is left. */
  unload(): void {
    const m: PnpHost = this.m;
    const driver = this.driver!;
    m.phase = 'Unload';
    m.trace.add('irp', 'every device is removed: the I/O manager calls DriverUnload');
    try {
      callProvider(m, 'DriverUnload', { cpu: 0, irql: PASSIVE_LEVEL }, 'void', () => driver.DriverUnload!(driver));
    } finally {
      m.phase = 'Idle';
    }
    this.unloaded = true;
    const leaks = m.pool.live;
    m.verifier.check('DRV-UNLOAD-01', leaks.length === 0 && m.hal.contiguousLive === 0 && m.workItems.liveWorkItems === 0, () =>
      `after DriverUnload, ${leaks.length} pool allocation(s) remain (${leaks.slice(0, 4).map((b) => `'${tagName(b.tag)}' ${b.size} bytes from ${b.phase}`).join(', ')}), ${m.hal.contiguousLive} contiguous block(s), ${m.workItems.liveWorkItems} work item(s)`);
    const devs = m.objects.driverDevices().filter((d) => !d.deleted);
    const provs = [...m.netdma.providers.values()].filter((p) => p.state !== 'deregistered');
    m.verifier.check('DRV-UNLOAD-02', devs.length === 0 && provs.length === 0, () => `at unload ${devs.length} device object(s) were never deleted and ${provs.length} provider(s) never deregistered`);
    const timers = m.timers.setNames;
    m.verifier.check('KSVC-03', timers.length === 0, () => `after DriverUnload, ${timers.join(', ')} ${timers.length === 1 ? 'is' : 'are'} still set: the expiry would run a DPC routine in the unloaded image (TIMER_OR_DPC_INVALID)`);
    const locks = m.removeLocks.heldNames;
    m.verifier.check('KSVC-02', locks.length === 0, () => `after DriverUnload, remove lock acquisitions are outstanding: ${locks.join('; ')}`);
  }
}

/** Why a returned requirements list is malformed, or null when its alternative lists are well formed. */
function requirementsShape(list: IO_RESOURCE_REQUIREMENTS_LIST | null): string | null {
  if (list === null || typeof list !== 'object') return 'FILTER_RESOURCE_REQUIREMENTS succeeded with no requirements list in IoStatus.Information';
  if (!Array.isArray(list.List) || list.List.length === 0) return 'the filtered requirements list has no alternative list';
  if (list.AlternativeLists !== list.List.length) return `AlternativeLists is ${String(list.AlternativeLists)} but the list holds ${list.List.length} alternative list(s)`;
  for (const alt of list.List) {
    if (!alt || !Array.isArray(alt.Descriptors)) return 'an alternative list has no Descriptors array';
    if (alt.Count !== alt.Descriptors.length) return `an alternative list's Count (${String(alt.Count)}) differs from its ${alt.Descriptors.length} descriptor(s)`;
  }
  return null;
}

/** True when `base`'s descriptor types appear in `got` in the same order (others may be added between them). */
function keepsInOrder(got: readonly IO_RESOURCE_DESCRIPTOR[], base: readonly IO_RESOURCE_DESCRIPTOR[]): boolean {
  let i = 0;
  for (const d of got) if (i < base.length && d?.Type === base[i]!.Type) i++;
  return i === base.length;
}

/** A START resource list (raw or translated): BAR0, then one interrupt per processor in `cpus`. */
function resourceList(bar: bigint, length: number, cpus: readonly number[], messageBased: boolean, vectorBase: number): CM_RESOURCE_LIST {
  const partial: CM_PARTIAL_RESOURCE_DESCRIPTOR[] = [
    { Type: CmResourceTypeMemory, Flags: 0, u: { Memory: { Start: bar, Length: length } } },
    ...cpus.map((cpu, i): CM_PARTIAL_RESOURCE_DESCRIPTOR => ({
      Type: CmResourceTypeInterrupt,
      Flags: messageBased ? CM_RESOURCE_INTERRUPT_MESSAGE : 0,
      u: messageBased
        ? { Interrupt: { Level: SIMULATED_DIRQL, Vector: vectorBase + i, Affinity: 1n << BigInt(cpu) }, MessageInterrupt: { MessageCount: 1, Vector: vectorBase + i, Affinity: 1n << BigInt(cpu) } }
        : { Interrupt: { Level: SIMULATED_DIRQL, Vector: vectorBase + i, Affinity: 1n << BigInt(cpu) } },
    })),
  ];
  return Object.freeze({ Count: 1, List: [Object.freeze({ PartialResourceList: Object.freeze({ Count: partial.length, PartialDescriptors: Object.freeze(partial) }) })] as const });
}
