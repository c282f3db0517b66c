import {
  BusQueryCompatibleIDs,
  BusQueryDeviceID,
  BusQueryHardwareIDs,
  BusQueryInstanceID,
  DeviceTextDescription,
  DeviceTextLocationInformation,
  GUID_BUS_INTERFACE_STANDARD,
  GUID_BUS_TYPE_PCI,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MN_DEVICE_USAGE_NOTIFICATION,
  IRP_MN_QUERY_BUS_INFORMATION,
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_DEVICE_RELATIONS,
  IRP_MN_QUERY_DEVICE_TEXT,
  IRP_MN_QUERY_ID,
  IRP_MN_QUERY_INTERFACE,
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_QUERY_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_RESOURCES,
  PCIBus,
  TargetDeviceRelation,
  type DEVICE_RELATIONS,
  type INTERFACE,
  type PNP_BUS_INFORMATION,
  IRP_MJ_PNP,
  IRP_MJ_SHUTDOWN,
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
  PowerDeviceD0,
  PowerDeviceD1,
  PowerDeviceD2,
  PowerDeviceD3,
  DevicePowerState,
  IRP_MN_QUERY_POWER,
  SystemPowerState,
  SL_PENDING_RETURNED,
  type IO_STACK_LOCATION,
} from '../api/wdm';
import { DISPATCH_LEVEL } from '../api/irql';
import { STATUS_INVALID_DEVICE_REQUEST, STATUS_NOT_SUPPORTED, STATUS_PENDING, STATUS_SUCCESS, STATUS_UNSUCCESSFUL, ntStatusName } from '../api/ntstatus';
import { faultPlan, type IoatEngine } from '../../hardware';
import type { KernelContext } from '../ke/context';
import type { EngineRunner } from '../hal/engine-runner';
import { busPowerKey, type BusOutcome, type SimDevice } from '../hal/sim-device';
import type { IoManager, IrpRecord } from '../io/io-manager';
import type { PnpManager } from './pnp-manager';
import type { NetDmaInterface } from '../netdma/netdma-interface';

export type { BusOutcome };

/** What the bus driver uses of the machine: the kernel context, the I/O manager, the engines and the PnP manager's requirements list. */
export interface BusDriverHost extends KernelContext {
  readonly io: IoManager;
  readonly engines: EngineRunner;
  readonly pnp: Pick<PnpManager, 'baseRequirements'>;
  /** NetDMA's providers of a device (PWR-01 is judged when the device leaves D0). */
  readonly netdma: Pick<NetDmaInterface, 'liveProvidersOf'>;
  /** The engine behind a device. */
  engineOf(dev: SimDevice): IoatEngine;
  /** Runs system code (not the candidate's) on a processor at an IRQL. */
  runAsSystem(cpu: number, irql: number, routine: string, fn: () => void): void;
}
import { workItem } from '../ke/scheduler';
import { shown } from '../verifier/trace-log';


/**
 * The simulated PCI bus driver under each PDO. It completes the PnP and power IRPs that reach it,
 * records that they arrived (so the model can tell "passed down" from "completed by the FDO"), and
 * can be told to fail or pend the next START / QUERY_STOP / QUERY_REMOVE.
 */
export class BusDriver {
  /** Outcome for the next IRP of each minor code (consumed when used). */
  readonly next = new Map<number, BusOutcome>();
  /** Every IRP this bus driver received, for the model. */
  received = 0;

  constructor(
    private readonly m: BusDriverHost,
    private readonly device: () => SimDevice,
  ) {}

  dispatch(rec: IrpRecord, loc: IO_STACK_LOCATION): number {
    const m: BusDriverHost = this.m;
    const dev = this.device();
    const status = rec.irp.IoStatus.Status;
    this.received++;
    const name = shown(dev.pdo.Name);
    const shownStatus = status >>> 0;
    m.trace.add('irp', () => `${name} (bus driver) received ${rec.label} with status ${ntStatusName(shownStatus)}`);
    m.observe({ op: 'LowerReceived', status, information: rec.irp.IoStatus.Information });
    let outcome: BusOutcome = 'succeed';
    let keepStatus = false;
    let answer: number | null = null;
    let devicePower: 'D0' | 'D1' | 'D2' | 'D3' | null = null;
    if (loc.MajorFunction === IRP_MJ_PNP) {
      // A pend planned for this minor (drawn by the generator) applies whatever the IRP.
      const planned = this.next.get(loc.MinorFunction);
      switch (loc.MinorFunction) {
        case IRP_MN_START_DEVICE:
          // A START to a started device: the PCI bus driver moves the device to its new resources now.
          if (dev.pendingResources) {
            dev.resources = dev.pendingResources;
            dev.pendingResources = null;
          }
          outcome = planned ?? 'succeed';
          break;
        case IRP_MN_QUERY_STOP_DEVICE:
        case IRP_MN_QUERY_REMOVE_DEVICE:
          outcome = planned ?? 'succeed';
          break;
        case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
          // The function driver edits the list on the way up (F52): what arrives here must be untouched.
          const edited = requirementsEdited(rec.irp.IoStatus.Information, m.pnp.baseRequirements(dev));
          m.verifier.check('PNP-FILTER-01', !edited, () => 'the FDO edited the resource requirements before passing FILTER_RESOURCE_REQUIREMENTS down; it must wait for the lower drivers');
          // The list in Information is left as it is (irp-mn-filter-resource-requirements.md: the parent
          // bus driver "leaves Irp->IoStatus as is"). The status too, for a line-based function; for a
          // function with MSI-X, Windows's PCI bus driver acts on the IRP (it makes the message
          // interrupts part of the requirements) and succeeds it, which the providers of this suite
          // rely on — decision recorded with PNP-FILTER-04.
          keepStatus = !m.options.msix;
          break;
        }
        case IRP_MN_REMOVE_DEVICE:
          // The lower drivers may finish REMOVE later ("A driver is not required to wait for underlying
          // drivers to finish their remove operations", removing-a-device-in-a-function-driver.md):
          // pended when this bus driver has received an odd number of IRPs (this one included), a function of the run's
          // own history that draws nothing from the chooser (PNP-REM-07).
          outcome = planned ?? (this.received % 2 === 1 ? 'pend' : 'succeed');
          break;
        case IRP_MN_STOP_DEVICE:
        case IRP_MN_SURPRISE_REMOVAL:
        case IRP_MN_CANCEL_STOP_DEVICE:
        case IRP_MN_CANCEL_REMOVE_DEVICE:
          break;
        default:
          // What the PCI bus driver answers for a child PDO; an IRP it does not handle is completed
          // with the status untouched (STATUS_NOT_SUPPORTED as the PnP manager set it, F104).
          keepStatus = !answerQuery(m, dev, rec, loc);
      }
      this.next.delete(loc.MinorFunction);
      if (planned === 'pend') outcome = 'pend';
    } else if (loc.MajorFunction === IRP_MJ_POWER && loc.Parameters.Power?.Type === SystemPowerState && (loc.MinorFunction === IRP_MN_SET_POWER || loc.MinorFunction === IRP_MN_QUERY_POWER)) {
      // A system power IRP: PCI answers as it was told (a lower driver may refuse a sleep query, or pend).
      const key = busPowerKey(loc.MinorFunction, true);
      outcome = this.next.get(key) ?? 'succeed';
      this.next.delete(key);
    } else if (loc.MajorFunction === IRP_MJ_POWER && loc.MinorFunction === IRP_MN_QUERY_POWER && loc.Parameters.Power?.Type === DevicePowerState) {
      const key = busPowerKey(loc.MinorFunction, false);
      outcome = this.next.get(key) ?? 'succeed';
      this.next.delete(key);
    } else if (loc.MajorFunction === IRP_MJ_POWER && loc.MinorFunction === IRP_MN_SET_POWER && loc.Parameters.Power?.Type === DevicePowerState) {
      const key = busPowerKey(loc.MinorFunction, false);
      // A device SET_POWER never fails at the bus; it may be pended.
      outcome = this.next.get(key) === 'pend' ? 'pend' : 'succeed';
      this.next.delete(key);
      const state = loc.Parameters.Power?.State.DeviceState;
      const to = state === PowerDeviceD0 ? 'D0' : state === PowerDeviceD1 ? 'D1' : state === PowerDeviceD2 ? 'D2' : 'D3';
      if (to !== 'D0') {
        // F50 (PWR-01): whoever sent it — the FDO as power-policy owner, or the stack's owner on a
        // system transition — a started 1.1+ provider has announced PowerDown by the time the
        // device actually leaves D0, here at the bus.
        for (const p of m.netdma.liveProvidersOf(dev)) {
          const mustNotify = p.state === 'started' && p.version >= 0x101 && m.options.interfaceVersion !== '1.0';
          if (mustNotify) m.verifier.check('PWR-01', p.poweredDown, () => `${name} is taken out of D0 (the D3 IRP reached the bus driver) while ${p.name} is started and has not called NetDmaPnPEventNotify(NetDmaNotificationProviderPowerDown)`);
        }
      }
      if (to === 'D3' && dev.powerState !== 'D3') {
        // The bus removes power (D3cold): the function loses its whole register context here, so the
        // driver must re-program the engine on its way back to D0 (F51, PWR-07, PWR-09). Done at D3
        // rather than at D0 so that nothing the driver does while in D3 can survive the power loss.
        // D1 and D2 keep the function's context (the lenient reading: the engine is only idle there);
        // D3 reached from D1 or D2 loses it as from D0.
        m.engineOf(dev).resetFunction();
        // A channel wedged in RESET (the low-resources `reset-hang`) recovers with the power loss.
        const engine = m.engineOf(dev);
        if (engine.faults.rules.some((r) => r.kind === 'reset-hang')) engine.setFaults(faultPlan(...engine.faults.rules.filter((r) => r.kind !== 'reset-hang')));
        m.trace.add('engine', () => `${name} lost power: function reset (INTRCTRL, every channel's CHANCTRL, CHANCMP and DCACTRL are 0)`);
        m.engines.listener?.onFunctionReset(dev);
      }
      dev.powerState = to;
      if (to !== 'D0') dev.backInD0 = false;
      m.observe({ op: 'DevicePowerAtBus', state: deviceStateOf(to), completed: false });
      devicePower = to;
    } else if (loc.MajorFunction === IRP_MJ_CREATE || loc.MajorFunction === IRP_MJ_CLEANUP || loc.MajorFunction === IRP_MJ_CLOSE || loc.MajorFunction === IRP_MJ_DEVICE_CONTROL || loc.MajorFunction === IRP_MJ_SHUTDOWN) {
      // The PCI bus driver has no dispatch routine for these: the I/O manager's IopInvalidDeviceRequest.
      answer = STATUS_INVALID_DEVICE_REQUEST;
    } else {
      keepStatus = true; // WMI for a PDO that is not registered, and the rest: completed untouched
    }
    if (outcome === 'pend') {
      loc.Control |= SL_PENDING_RETURNED;
      m.trace.add('irp', () => `${name} (bus driver) pended ${rec.label}`);
      // The bus completes it later from a DPC, at DISPATCH_LEVEL, on processor 0.
      m.work.push(
        workItem(
          `bus completion of ${rec.label}`,
          () => true,
          () => m.runAsSystem(0, DISPATCH_LEVEL, `bus DPC completing ${rec.label}`, () => this.#finish(rec, keepStatus, 'succeed', answer, devicePower)),
        ),
      );
      return STATUS_PENDING;
    }
    return this.#finish(rec, keepStatus, outcome, answer, devicePower);
  }

  /** Completes the IRP as the bus driver: sets the status it answers with (unless it keeps it) and completes. */
  #finish(rec: IrpRecord, keepStatus: boolean, outcome: BusOutcome, answer: number | null, devicePower: 'D0' | 'D1' | 'D2' | 'D3' | null): number {
    const m: BusDriverHost = this.m;
    if (answer !== null) rec.irp.IoStatus.Status = answer;
    else if (!keepStatus) rec.irp.IoStatus.Status = outcome === 'fail' ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
    const final = rec.irp.IoStatus.Status >>> 0;
    const information = rec.irp.IoStatus.Information;
    const informationText = typeof information === 'object' && information !== null ? requirementsTextOrUndefined(information) : undefined;
    m.observe(informationText === undefined ? { op: 'LowerCompleted', status: final, information } : { op: 'LowerCompleted', status: final, information, informationText });
    if (devicePower === 'D0') this.device().backInD0 = true;
    if (devicePower !== null) m.observe({ op: 'DevicePowerAtBus', state: deviceStateOf(devicePower), completed: true });
    m.io.complete(rec, false);
    return final;
  }
}

/** PCI's device id of the simulated engine (an I/OAT-class function). */
const DEVICE_ID = 'PCI\\VEN_8086&DEV_0E20&SUBSYS_00000000&REV_00';

/**
 * The PCI bus driver's answer to a PnP query for its child PDO, as pci.sys gives it: fills
 * IoStatus.Information and returns true when it handles the IRP; false leaves the IRP as it came.
 */
/** The DEVICE_POWER_STATE of a device power state's name. */
function deviceStateOf(s: 'D0' | 'D1' | 'D2' | 'D3'): number {
  return s === 'D0' ? PowerDeviceD0 : s === 'D1' ? PowerDeviceD1 : s === 'D2' ? PowerDeviceD2 : PowerDeviceD3;
}

function answerQuery(m: BusDriverHost, dev: SimDevice, rec: IrpRecord, loc: IO_STACK_LOCATION): boolean {
  const irp = rec.irp;
  switch (loc.MinorFunction) {
    case IRP_MN_QUERY_DEVICE_RELATIONS: {
      // Only TargetDeviceRelation is the PDO's to answer; a PCI function has no bus, removal or ejection relations.
      if (loc.Parameters.QueryDeviceRelations?.Type !== TargetDeviceRelation) return false;
      const rel: DEVICE_RELATIONS = { Count: 1, Objects: [dev.pdo] };
      irp.IoStatus.Information = rel;
      return true;
    }
    case IRP_MN_QUERY_INTERFACE: {
      const q = loc.Parameters.QueryInterface;
      if (q?.InterfaceType !== GUID_BUS_INTERFACE_STANDARD) return false;
      const none = (_c: unknown) => undefined;
      const itf: INTERFACE = { Size: q.Size, Version: 1, Context: dev.pdo, InterfaceReference: none, InterfaceDereference: none };
      q.Interface.value = itf;
      return true;
    }
    case IRP_MN_QUERY_CAPABILITIES: {
      const c = loc.Parameters.DeviceCapabilities?.Capabilities;
      if (!c) return false;
      c.DeviceD1 = dev.supportsD1D2 === true;
      c.DeviceD2 = dev.supportsD1D2 === true;
      c.LockSupported = false;
      c.EjectSupported = false;
      c.Removable = false;
      c.UniqueID = false;
      c.SilentInstall = false;
      c.RawDeviceOK = false;
      c.SurpriseRemovalOK = false;
      c.Address = (4 << 16) | dev.index; // device 4, function = index
      c.UINumber = dev.index;
      // S0 -> D0, S1 -> D2 when the function has D2 (else D3), S2..S5 -> D3 (PowerDeviceD0 = 1, PowerDeviceD3 = 4).
      c.DeviceState = [0, PowerDeviceD0, dev.supportsD1D2 === true ? PowerDeviceD2 : PowerDeviceD3, PowerDeviceD3, PowerDeviceD3, PowerDeviceD3, PowerDeviceD3];
      c.SystemWake = 0;
      c.DeviceWake = 0;
      c.D1Latency = 0;
      c.D2Latency = 0;
      c.D3Latency = 100;
      return true;
    }
    case IRP_MN_QUERY_PNP_DEVICE_STATE:
      // pci.sys reports nothing for an ordinary function: succeeds with the flags as they are.
      return true;
    case IRP_MN_QUERY_RESOURCES:
      irp.IoStatus.Information = dev.resources?.raw ?? null;
      return true;
    case IRP_MN_QUERY_RESOURCE_REQUIREMENTS:
      irp.IoStatus.Information = m.pnp.baseRequirements(dev);
      return true;
    case IRP_MN_QUERY_ID: {
      const t = loc.Parameters.QueryId?.IdType;
      if (t === BusQueryDeviceID || t === BusQueryHardwareIDs) irp.IoStatus.Information = DEVICE_ID;
      else if (t === BusQueryCompatibleIDs) irp.IoStatus.Information = 'PCI\\CC_088000';
      else if (t === BusQueryInstanceID) irp.IoStatus.Information = `${dev.index}`;
      else return false;
      return true;
    }
    case IRP_MN_QUERY_DEVICE_TEXT: {
      const t = loc.Parameters.QueryDeviceText?.DeviceTextType;
      if (t === DeviceTextDescription) irp.IoStatus.Information = 'System DMA engine';
      else if (t === DeviceTextLocationInformation) irp.IoStatus.Information = `PCI bus 0, device 4, function ${dev.index}`;
      else return false;
      return true;
    }
    case IRP_MN_QUERY_BUS_INFORMATION: {
      const info: PNP_BUS_INFORMATION = { BusTypeGuid: GUID_BUS_TYPE_PCI, LegacyBusType: PCIBus, BusNumber: 0 };
      irp.IoStatus.Information = info;
      return true;
    }
    case IRP_MN_DEVICE_USAGE_NOTIFICATION:
      // Decision (PNP-SURF-03): the PDO joins the special-file path only when the function driver
      // above took the IRP (set a status); one that passed it down untouched — its device holds no
      // such file — leaves STATUS_NOT_SUPPORTED, and the PDO completes it so: no file is placed.
      return (irp.IoStatus.Status >>> 0) !== STATUS_NOT_SUPPORTED;
    default:
      return false;
  }
}

/**
 * Whether a requirements list differs from the bus driver's own (`base`) as their JSON renderings
 * (bigints as `123n`) would. A plain walk decides the usual case, a list left untouched; anything
 * it cannot vouch for is compared through the renderings.
 */
function requirementsEdited(list: unknown, base: unknown): boolean {
  return !samePlainData(list, base) && requirementsText(list) !== requirementsText(base);
}

/**
 * True when `a` is plain data (ordinary objects and arrays, primitives) equal to `b` key by key,
 * in the same key order: then their JSON renderings are equal. False means "not shown equal", not
 * "different". `b` is the kernel's own plain list.
 */
function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'object' || a === null;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(b)) {
    if (!Array.isArray(a) || Object.getPrototypeOf(a) !== Array.prototype || a.length !== b.length) return false;
    for (let i = 0; i < b.length; i++) if (!samePlainData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(a) || Object.getPrototypeOf(a) !== Object.prototype) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < kb.length; i++) {
    const k = kb[i]!;
    if (ka[i] !== k || !samePlainData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The rendering of IoStatus.Information when the bus driver completed the IRP (undefined when it cannot be rendered, e.g. device objects). */
function requirementsTextOrUndefined(information: unknown): string | undefined {
  try {
    return requirementsText(information);
  } catch {
    return undefined;
  }
}

/** A comparable rendering of a requirements list (bigints included). */
function requirementsText(list: unknown): string {
  return JSON.stringify(list, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
