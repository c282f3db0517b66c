/**
 * The power manager (`Po*`): the power IRPs a device's power-policy owner requests with
 * PoRequestPowerIrp, the device power state drivers report with PoSetPowerState, and the IRQL at
 * which power IRPs reach a stack (DO_POWER_PAGABLE / DO_POWER_INRUSH).
 *
 * @module
 */
import { DISPATCH_LEVEL, PASSIVE_LEVEL, irqlName } from '../api/irql';
import { STATUS_INVALID_PARAMETER_2, STATUS_NOT_SUPPORTED, STATUS_PENDING } from '../api/ntstatus';
import {
  DO_POWER_INRUSH,
  DO_POWER_PAGABLE,
  DevicePowerState,
  IRP_MJ_POWER,
  IRP_MN_QUERY_POWER,
  IRP_MN_SET_POWER,
  IRP_MN_WAIT_WAKE,
  PowerActionNone,
  PowerDeviceD0,
  PowerDeviceD3,
  PowerSystemUnspecified,
  SystemPowerState,
  type DEVICE_OBJECT,
  type IRP,
  type OUT,
  type POWER_STATE,
  type REQUEST_POWER_COMPLETE,
} from '../api/wdm';
import type { KernelContext } from '../ke/context';
import { callProvider } from '../ke/invoke';
import { workItem } from '../ke/scheduler';
import type { IoManager, IrpRecord } from '../io/io-manager';
import type { ObjectTable } from '../ob/objects';
import type { SimDevice } from '../hal/sim-device';
import { shown } from '../verifier/trace-log';

/** What the power manager uses of the machine: the kernel context, the I/O manager and the device objects. */
export interface PoHost extends KernelContext {
  readonly io: IoManager;
  readonly objects: ObjectTable;
  /** Runs system code (not the candidate's) on a processor at an IRQL. */
  runAsSystem(cpu: number, irql: number, routine: string, fn: () => void): void;
}

/** A device power IRP the driver requested with PoRequestPowerIrp. */
export interface RequestedPowerIrp {
  readonly rec: IrpRecord;
  readonly minor: number;
  /** The requested device power state (PowerDeviceD0..D3), or the system state of a WAIT_WAKE. */
  readonly state: number;
  /** The system power IRP the stack held when the request was made, if any. */
  readonly during: IrpRecord | null;
  /** Set once the IRP completed and its completion function (if any) returned. */
  done: boolean;
}

/** The power manager's record of one device stack. */
interface PoDevice {
  /** The device power state last reported with PoSetPowerState (PowerDeviceD0 at start). */
  reported: number;
  /** Whether DO_POWER_PAGABLE was ever seen set on the stack's top device. */
  pagableSeen: boolean;
  /** The system power IRP in flight to this stack. */
  systemIrp: IrpRecord | null;
  /** D-IRPs requested while `systemIrp` was held. */
  readonly requested: RequestedPowerIrp[];
}

/** A `DEVICE_POWER_STATE` as D0..D3, or the number. */
export function deviceStateName(s: number): string {
  return s >= PowerDeviceD0 && s <= PowerDeviceD3 ? `D${s - 1}` : `DeviceState ${s}`;
}

/**
 * PoRequestPowerIrp, PoSetPowerState and PoStartNextPowerIrp, and the IRQL power IRPs arrive at.
 * The system power IRPs themselves are sent by the PnP/power manager's `sendSystemPower`.
 */
export class PowerManager {
  readonly #devices = new Map<SimDevice, PoDevice>();
  /** Every IRP PoRequestPowerIrp sent, in order (for the lifecycle model and the rules). */
  readonly requests: RequestedPowerIrp[] = [];

  constructor(private readonly m: PoHost) {}

  /** The power manager's record of `dev`. */
  #of(dev: SimDevice): PoDevice {
    let d = this.#devices.get(dev);
    if (!d) {
      d = { reported: PowerDeviceD0, pagableSeen: false, systemIrp: null, requested: [] };
      this.#devices.set(dev, d);
    }
    return d;
  }

  /** Notes the top device's power flags (called whenever a power or PnP IRP reaches the stack). */
  noteFlags(dev: SimDevice): void {
    const top = this.m.objects.topOf(dev.pdo);
    if ((top.Flags & DO_POWER_PAGABLE) !== 0) this.#of(dev).pagableSeen = true;
  }

  /**
   * The IRQL a power IRP reaches the stack of `dev` at. DO_POWER_INRUSH: DISPATCH_LEVEL.
   * DO_POWER_PAGABLE set, or never set: PASSIVE_LEVEL (the power manager's worker threads). Set once
   * and then cleared by the driver: the stack is non-pageable, and a power IRP may arrive at either
   * (drawn from the run's seed).
   */
  dispatchIrql(dev: SimDevice): number {
    const top = this.m.objects.topOf(dev.pdo);
    const flags = top.Flags;
    if ((flags & DO_POWER_INRUSH) !== 0) return DISPATCH_LEVEL;
    if ((flags & DO_POWER_PAGABLE) !== 0) {
      this.#of(dev).pagableSeen = true;
      return PASSIVE_LEVEL;
    }
    if (!this.#of(dev).pagableSeen) return PASSIVE_LEVEL;
    return this.m.chooser.choose(2, 'power IRP IRQL (DO_POWER_PAGABLE cleared)') === 1 ? DISPATCH_LEVEL : PASSIVE_LEVEL;
  }

  /** The system power IRP `dev`'s stack holds now (set by the power manager while one is in flight). */
  systemIrpOf(dev: SimDevice): IrpRecord | null {
    return this.#of(dev).systemIrp;
  }

  /** Marks the system power IRP in flight to `dev`'s stack (null when it completed). */
  setSystemIrp(dev: SimDevice, rec: IrpRecord | null): void {
    const d = this.#of(dev);
    d.systemIrp = rec;
    if (rec) d.requested.length = 0;
  }

  /** D-IRPs the driver requested while `dev`'s stack held its current system power IRP. */
  requestedDuringSystemIrp(dev: SimDevice): readonly RequestedPowerIrp[] {
    return this.#of(dev).requested;
  }

  /** The device power state last reported with PoSetPowerState. */
  reportedState(dev: SimDevice): number {
    return this.#of(dev).reported;
  }

  /** PoRequestPowerIrp. */
  requestPowerIrp(
    DeviceObject: DEVICE_OBJECT,
    MinorFunction: number,
    PowerState: POWER_STATE,
    CompletionFunction: REQUEST_POWER_COMPLETE | null,
    Context: unknown,
    Irp: OUT<IRP> | null,
  ): number {
    const m: PoHost = this.m;
    const dev = m.objects.device(DeviceObject);
    if (!dev) m.verifier.fail('KAPI-01', 'PoRequestPowerIrp was passed something that is not a device object');
    if (dev.deleted) m.verifier.fail('KAPI-01', `PoRequestPowerIrp(${dev.obj.Name}) of a deleted device object`);
    const irql = m.cpus.current.irql;
    m.verifier.check('KE-IRQL-02', irql <= DISPATCH_LEVEL, () => `PoRequestPowerIrp called at ${irqlName(irql)}; it is allowed up to DISPATCH_LEVEL`);
    // NULL may come as null or undefined from a JavaScript candidate.
    if (CompletionFunction !== null && CompletionFunction !== undefined && typeof CompletionFunction !== 'function') m.verifier.fail('KAPI-01', 'PoRequestPowerIrp: CompletionFunction is neither a function nor NULL');
    if (Irp !== null && Irp !== undefined && typeof Irp !== 'object') m.verifier.fail('KAPI-01', 'PoRequestPowerIrp: Irp is neither an OUT box nor NULL');
    const state = MinorFunction === IRP_MN_WAIT_WAKE ? (PowerState?.SystemState ?? PowerSystemUnspecified) : (PowerState?.DeviceState ?? 0);
    const name = shown(dev.obj.Name);
    if ((MinorFunction !== IRP_MN_SET_POWER && MinorFunction !== IRP_MN_QUERY_POWER && MinorFunction !== IRP_MN_WAIT_WAKE) ||
      (MinorFunction !== IRP_MN_WAIT_WAKE && !(Number.isInteger(state) && state >= PowerDeviceD0 && state <= PowerDeviceD3))) {
      m.trace.add('call', () => `PoRequestPowerIrp(${name}, minor 0x${Number(MinorFunction).toString(16)}, ${String(state)}) = STATUS_INVALID_PARAMETER_2`);
      return STATUS_INVALID_PARAMETER_2;
    }
    const simDev = dev.device;
    const top = m.objects.topOf(simDev.pdo);
    const topRec = m.objects.device(top)!;
    const rec = m.io.allocate(topRec.stackSize, IRP_MJ_POWER, MinorFunction, STATUS_NOT_SUPPORTED);
    const loc = rec.stack[rec.stack.length - 1]!;
    loc.Parameters.Power = MinorFunction === IRP_MN_WAIT_WAKE
      ? { Type: SystemPowerState, State: { DeviceState: 0, SystemState: state }, ShutdownType: PowerActionNone, SystemContext: 0 }
      : { Type: DevicePowerState, State: { DeviceState: state, SystemState: 0 }, ShutdownType: PowerActionNone, SystemContext: 0 };
    const label = MinorFunction === IRP_MN_WAIT_WAKE ? rec.label : `${rec.label.split(' ')[0]}(${deviceStateName(state)}) (${rec.irp.Name})`;
    (rec as { label: string }).label = label;
    const pd = this.#of(simDev);
    const req: RequestedPowerIrp = { rec, minor: MinorFunction, state, during: pd.systemIrp !== null && !pd.systemIrp.completed ? pd.systemIrp : null, done: false };
    this.requests.push(req);
    if (req.during) pd.requested.push(req);
    m.trace.add('call', () => `PoRequestPowerIrp(${name}, ${label}) = STATUS_PENDING`);
    m.observe({ op: 'PowerIrpRequested', minor: MinorFunction, state });
    if (Irp) Irp.value = rec.irp;
    const stateCopy: POWER_STATE = MinorFunction === IRP_MN_WAIT_WAKE ? { SystemState: state } : { DeviceState: state };
    rec.onCompleted = (): void => {
      if (typeof CompletionFunction === 'function') {
        const { cpu, irql: now } = m.cpus.current;
        callProvider(m, `PowerCompletion(${DeviceObject.Name}, ${label})`, { cpu, irql: now }, 'void', () =>
          CompletionFunction(DeviceObject, MinorFunction, stateCopy, Context, rec.irp.IoStatus));
      }
      req.done = true;
      m.observe({ op: 'PowerIrpRequestCompleted', minor: MinorFunction, state, status: rec.irp.IoStatus.Status >>> 0 });
    };
    // The power manager sends it from its own thread (never inside the caller's call).
    m.work.push(
      workItem(`power manager sends ${label}`, () => true, () => {
        const at = this.dispatchIrql(simDev);
        const topName = shown(top.Name);
        m.trace.add('irp', () => `the power manager sends ${label} to ${topName} at ${irqlName(at)}`);
        m.runAsSystem(0, at, `power manager (${label})`, () => {
          m.io.callDriver(m.objects.topOf(simDev.pdo), rec.irp, false);
        });
      }),
    );
    return STATUS_PENDING;
  }

  /** PoSetPowerState: records the device's new power state and returns the previous one. */
  setPowerState(DeviceObject: DEVICE_OBJECT, Type: number, State: POWER_STATE): POWER_STATE {
    const m: PoHost = this.m;
    const dev = m.objects.device(DeviceObject);
    if (!dev) m.verifier.fail('KAPI-01', 'PoSetPowerState was passed something that is not a device object');
    const irql = m.cpus.current.irql;
    m.verifier.check('KE-IRQL-02', irql <= DISPATCH_LEVEL, () => `PoSetPowerState called at ${irqlName(irql)}; it is allowed up to DISPATCH_LEVEL`);
    const pd = this.#of(dev.device);
    const name = shown(dev.obj.Name);
    if (Type !== DevicePowerState) {
      // A system power state: function drivers never report one; the call is traced and ignored.
      m.trace.add('call', () => `PoSetPowerState(${name}, SystemPowerState, ${String(State?.SystemState)})`);
      return { SystemState: PowerSystemUnspecified };
    }
    const s = State?.DeviceState;
    if (!(Number.isInteger(s) && s! >= PowerDeviceD0 && s! <= PowerDeviceD3)) m.verifier.fail('KAPI-01', `PoSetPowerState(${dev.obj.Name}, DevicePowerState, ${String(s)}): not a device power state`);
    const previous = pd.reported;
    pd.reported = s!;
    m.trace.add('call', () => `PoSetPowerState(${name}, DevicePowerState, ${deviceStateName(s!)})`);
    m.observe({ op: 'PoSetPowerState', state: s! });
    return { DeviceState: previous };
  }

  /** PoStartNextPowerIrp: a no-op since Windows Vista; the IRP must still be one the I/O manager issued. */
  startNextPowerIrp(Irp: IRP): void {
    const rec = this.m.io.record(Irp, 'PoStartNextPowerIrp');
    this.m.trace.add('call', () => `PoStartNextPowerIrp(${rec.label})`);
  }
}
