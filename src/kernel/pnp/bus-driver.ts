import {
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
  PowerDeviceD0,
  PowerDeviceD3,
  DevicePowerState,
  IRP_MN_QUERY_POWER,
  SystemPowerState,
  SL_PENDING_RETURNED,
  type IO_STACK_LOCATION,
} from '../api/wdm';
import { DISPATCH_LEVEL } from '../api/irql';
import { STATUS_PENDING, STATUS_SUCCESS, STATUS_UNSUCCESSFUL, ntStatusName } from '../api/ntstatus';
import type { IoatEngine } from '../../hardware';
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
    m.observe({ op: 'LowerReceived', status });
    let outcome: BusOutcome = 'succeed';
    let keepStatus = false;
    let devicePower: 'D0' | 'D3' | null = null;
    if (loc.MajorFunction === IRP_MJ_PNP) {
      switch (loc.MinorFunction) {
        case IRP_MN_START_DEVICE:
        case IRP_MN_QUERY_STOP_DEVICE:
        case IRP_MN_QUERY_REMOVE_DEVICE:
          outcome = this.next.get(loc.MinorFunction) ?? 'succeed';
          this.next.delete(loc.MinorFunction);
          break;
        case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
          // The function driver edits the list on the way up (F52): what arrives here must be untouched.
          const edited = requirementsEdited(rec.irp.IoStatus.Information, m.pnp.baseRequirements(dev));
          m.verifier.check('PNP-FILTER-01', !edited, () => 'the FDO edited the resource requirements before passing FILTER_RESOURCE_REQUIREMENTS down; it must wait for the lower drivers');
          // PCI reports its own requirements list: a fresh copy replaces whatever is in Information.
          rec.irp.IoStatus.Information = m.pnp.baseRequirements(dev);
          break;
        }
        case IRP_MN_STOP_DEVICE:
        case IRP_MN_REMOVE_DEVICE:
        case IRP_MN_SURPRISE_REMOVAL:
        case IRP_MN_CANCEL_STOP_DEVICE:
        case IRP_MN_CANCEL_REMOVE_DEVICE:
          break;
        default:
          keepStatus = true; // IRPs the bus does not handle are completed with the status untouched
      }
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
      const to = state === PowerDeviceD0 ? 'D0' : 'D3';
      if (to === 'D3') {
        // F50 (PWR-01): whoever sent it — the FDO as power-policy owner, or the stack's owner on a
        // system transition — a started 1.1+ provider has announced PowerDown by the time the
        // device actually leaves D0, here at the bus.
        for (const p of m.netdma.liveProvidersOf(dev)) {
          const mustNotify = p.state === 'started' && p.version >= 0x101 && m.options.interfaceVersion !== '1.0';
          if (mustNotify) m.verifier.check('PWR-01', p.poweredDown, () => `${name} is taken out of D0 (the D3 IRP reached the bus driver) while ${p.name} is started and has not called NetDmaPnPEventNotify(NetDmaNotificationProviderPowerDown)`);
        }
      }
      if (to === 'D3' && dev.powerState === 'D0') {
        // The bus removes power (D3cold): the function loses its whole register context here, so the
        // driver must re-program the engine on its way back to D0 (F51, PWR-07, PWR-09). Done at D3
        // rather than at D0 so that nothing the driver does while in D3 can survive the power loss.
        m.engineOf(dev).resetFunction();
        m.trace.add('engine', () => `${name} lost power: function reset (INTRCTRL, every channel's CHANCTRL, CHANCMP and DCACTRL are 0)`);
        m.engines.listener?.onFunctionReset(dev);
      }
      dev.powerState = to;
      if (to === 'D3') dev.backInD0 = false;
      m.observe({ op: 'DevicePowerAtBus', state: to === 'D0' ? PowerDeviceD0 : PowerDeviceD3, completed: false });
      devicePower = to;
    } else {
      keepStatus = true;
    }
    if (outcome === 'pend') {
      loc.Control |= SL_PENDING_RETURNED;
      m.trace.add('irp', () => `${name} (bus driver) pended ${rec.label}`);
      // The bus completes it later from a DPC, at DISPATCH_LEVEL, on processor 0.
      m.work.push(
        workItem(
          `bus completion of ${rec.label}`,
          () => true,
          () => m.runAsSystem(0, DISPATCH_LEVEL, `bus DPC completing ${rec.label}`, () => this.#finish(rec, keepStatus, 'succeed', devicePower)),
        ),
      );
      return STATUS_PENDING;
    }
    return this.#finish(rec, keepStatus, outcome, devicePower);
  }

  /** Completes the IRP as the bus driver: sets the status it answers with (unless it keeps it) and completes. */
  #finish(rec: IrpRecord, keepStatus: boolean, outcome: BusOutcome, devicePower: 'D0' | 'D3' | null): number {
    const m: BusDriverHost = this.m;
    if (!keepStatus) rec.irp.IoStatus.Status = outcome === 'fail' ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
    const final = rec.irp.IoStatus.Status >>> 0;
    m.observe({ op: 'LowerCompleted', status: final });
    if (devicePower === 'D0') this.device().backInD0 = true;
    if (devicePower !== null) m.observe({ op: 'DevicePowerAtBus', state: devicePower === 'D0' ? PowerDeviceD0 : PowerDeviceD3, completed: true });
    m.io.complete(rec, false);
    return final;
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

/** A comparable rendering of a requirements list (bigints included). */
function requirementsText(list: unknown): string {
  return JSON.stringify(list, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
