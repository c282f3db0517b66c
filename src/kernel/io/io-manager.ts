import { DISPATCH_LEVEL, irqlName } from '../api/irql';
import { NT_SUCCESS, STATUS_INVALID_DEVICE_REQUEST, STATUS_MORE_PROCESSING_REQUIRED, STATUS_PENDING, isNtStatus, ntStatusName } from '../api/ntstatus';
import {
  IRP_MJ_PNP,
  IRP_MJ_POWER, IRP_MJ_SHUTDOWN,
  IRP_MN_REMOVE_DEVICE,
  SL_INVOKE_ON_ERROR,
  SL_INVOKE_ON_SUCCESS,
  SL_PENDING_RETURNED,
  type DEVICE_OBJECT,
  type IO_COMPLETION_ROUTINE,
  type IO_STACK_LOCATION,
  type IRP,
} from '../api/wdm';
import { callProvider } from '../ke/invoke';
import type { KernelContext } from '../ke/context';
import type { ObjectTable } from '../ob/objects';

/** What the I/O manager uses of the machine: the kernel context and the device objects. */
export interface IoHost extends KernelContext {
  readonly objects: ObjectTable;
}
import { irpName } from './irp-names';
import { shown } from '../verifier/trace-log';

/** The kernel's record of an IRP: its stack locations and where it is. */
export interface IrpRecord {
  readonly irp: IRP;
  readonly stack: IO_STACK_LOCATION[];
  /** Index of the current stack location; `stack.length` before the first IoCallDriver. */
  cur: number;
  completed: boolean;
  /** Who built it: the PnP/power manager, or the driver (IoAllocateIrp). */
  origin: 'system' | 'driver';
  /** Set when the IRP finished completing. */
  onCompleted?: () => void;
  /**
   * What a completion routine of the provider returned the last time one ran for this IRP
   * (IRP-07: a routine that lets completion go on hands the IRP back to the I/O manager).
   */
  routineReturned?: { readonly status: number; readonly upper: string };
  /**
   * Stack locations whose dispatch routine returned STATUS_PENDING before the IRP was marked
   * pending there: allowed when the IRP was passed down and the lower driver pended it, if the
   * completion routine marks it (`if (Irp->PendingReturned) IoMarkIrpPending(Irp)`) before
   * completion passes that location (IRP-04, checked then).
   */
  unmarkedPending?: number[];
  readonly label: string;
  /** How many times this IRP reached a bus driver (a PDO). */
  busReceptions: number;
  /** How many times the provider called IoCompleteRequest on this IRP. */
  fdoCompletions: number;
  /** What the provider's last IoCallDriver for this IRP returned to it (PNP-REM-07). */
  lowerReturned?: number;
}

function newLocation(): IO_STACK_LOCATION {
  return { MajorFunction: 0, MinorFunction: 0, Flags: 0, Control: 0, Parameters: {}, DeviceObject: null, CompletionRoutine: null, Context: null, FileObject: null };
}

/** The PnP minor IRPs only the PnP manager may send (F101, F102). */
const PNP_MANAGER_ONLY: ReadonlySet<number> = new Set([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0d, 0x17]);

/** IRP allocation, IoCallDriver, stack locations and IoCompleteRequest with completion routines. */
export class IoManager {
  readonly #irps = new Map<object, IrpRecord>();
  #next = 1;

  constructor(private readonly m: IoHost) {}

  /** Allocates an IRP with `stackSize` locations and sets up the first one (IoGetNextIrpStackLocation). */
  allocate(stackSize: number, major: number, minor: number, status: number): IrpRecord {
    const irp: IRP = { Type: 6, IoStatus: { Status: status, Information: null }, PendingReturned: false, AssociatedIrp: { SystemBuffer: null }, Name: `IRP#${this.#next++}` };
    const stack: IO_STACK_LOCATION[] = [];
    for (let i = 0; i < stackSize; i++) stack.push(newLocation());
    const top = stack[stackSize - 1]!;
    top.MajorFunction = major;
    top.MinorFunction = minor;
    const rec: IrpRecord = { irp, stack, cur: stackSize, completed: false, origin: 'system', label: `${irpName(major, minor)} (${irp.Name})`, busReceptions: 0, fdoCompletions: 0 };
    this.#irps.set(irp, rec);
    return rec;
  }

  /** IoAllocateIrp: an IRP the driver builds (its stack locations are blank). */
  allocateForDriver(stackSize: number): IRP {
    const rec = this.allocate(stackSize, 0, 0, 0);
    rec.origin = 'driver';
    return rec.irp;
  }

  /** The record for `irp`, or a KAPI-01 violation. */
  record(irp: unknown, api: string): IrpRecord {
    const rec = typeof irp === 'object' && irp !== null ? this.#irps.get(irp) : undefined;
    if (!rec) this.m.verifier.fail('KAPI-01', `${api} was passed something that is not an IRP the I/O manager issued`);
    return rec;
  }

  current(rec: IrpRecord, api: string): IO_STACK_LOCATION {
    const loc = rec.stack[rec.cur];
    if (!loc) this.m.verifier.fail('KAPI-01', `${api}(${rec.label}): the IRP has no current stack location (it was not dispatched, or was already completed)`);
    return loc;
  }

  next(rec: IrpRecord, api: string): IO_STACK_LOCATION {
    const loc = rec.stack[rec.cur - 1];
    if (!loc) this.m.verifier.fail('KAPI-01', `${api}(${rec.label}): no next stack location (StackSize exhausted; did the driver skip twice or attach wrongly?)`);
    return loc;
  }

  /** True when the device at the IRP's current location is one of the candidate's. */
  ownedByDriver(rec: IrpRecord): boolean {
    const dev = rec.stack[rec.cur]?.DeviceObject;
    return dev !== undefined && dev !== null && this.m.objects.device(dev)?.kind === 'driver';
  }

  /** IoCallDriver. `byProvider` is true when the candidate passes the IRP down. */
  callDriver(target: DEVICE_OBJECT, irp: IRP, byProvider: boolean): number {
    const m: IoHost = this.m;
    const rec = this.record(irp, 'IoCallDriver');
    const dev = m.objects.device(target);
    if (!dev) m.verifier.fail('KAPI-01', `IoCallDriver(${rec.label}) was given something that is not a device object`);
    if (dev.deleted) m.verifier.fail('KAPI-01', `IoCallDriver(${rec.label}) to ${dev.obj.Name}, which was deleted`);
    if (byProvider) {
      m.verifier.check('IRP-01', !rec.completed, () => `IoCallDriver(${rec.label}) on an IRP that was already completed`);
      const next = rec.stack[rec.cur - 1];
      const pnpMinor = next !== undefined && next.MajorFunction === IRP_MJ_PNP && PNP_MANAGER_ONLY.has(next.MinorFunction);
      m.verifier.check('IRP-08', rec.origin === 'system' || !pnpMinor, () => `the provider sent ${irpName(next!.MajorFunction, next!.MinorFunction)} itself; only the PnP manager sends PnP state IRPs (F102)`);
      m.verifier.check('IRP-01', this.ownedByDriver(rec) || rec.cur === rec.stack.length, () => `IoCallDriver(${rec.label}): the IRP was already passed down and is not the provider's any more (passed down twice?)`);
      m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `IoCallDriver at ${irqlName(m.cpus.current.irql)}`);
      const caller = rec.stack[rec.cur]?.DeviceObject;
      const callerRec = caller ? m.objects.device(caller) : undefined;
      m.verifier.check('IRP-09', callerRec === undefined || callerRec.lower === target, () => `${caller?.Name ?? 'the FDO'} passed ${rec.label} to ${dev.obj.Name}, not to the device IoAttachDeviceToDeviceStack returned (${callerRec?.lower?.Name ?? 'none'})`);
      const name = shown(dev.obj.Name);
      m.trace.add('call', () => `IoCallDriver(${name}, ${rec.label})`);
    }
    rec.cur -= 1;
    const index = rec.cur;
    const loc = rec.stack[rec.cur];
    if (!loc) m.verifier.fail('KAPI-01', `IoCallDriver(${rec.label}): no stack location left for ${dev.obj.Name} (NO_MORE_IRP_STACK_LOCATIONS)`);
    loc.DeviceObject = target;
    if (dev.kind === 'pdo') {
      rec.busReceptions++;
      return dev.device.bus.dispatch(rec, loc);
    }
    const driver = dev.driver!;
    const dispatch = driver.MajorFunction[loc.MajorFunction];
    if (typeof dispatch !== 'function') {
      // An empty slot: the I/O manager's IopInvalidDeviceRequest.
      rec.irp.IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
      this.complete(rec, false);
      return STATUS_INVALID_DEVICE_REQUEST;
    }
    const cpu = m.cpus.current.cpu;
    const irql = m.cpus.current.irql;
    const status = callProvider(m, `DispatchRoutine[${loc.MajorFunction === IRP_MJ_PNP ? 'IRP_MJ_PNP' : loc.MajorFunction === IRP_MJ_POWER ? 'IRP_MJ_POWER' : loc.MajorFunction === IRP_MJ_SHUTDOWN ? 'IRP_MJ_SHUTDOWN' : loc.MajorFunction}](${target.Name}, ${rec.label})`, { cpu, irql }, 'ntstatus', () => dispatch(target, irp)) as number;
    if (loc.MajorFunction === IRP_MJ_PNP && loc.MinorFunction === IRP_MN_REMOVE_DEVICE && rec.lowerReturned !== undefined && !rec.completed) {
      // PNP-REM-07: the lower drivers still hold the REMOVE: the routine returns what IoCallDriver returned.
      const lower = rec.lowerReturned;
      m.verifier.check('PNP-REM-07', status === lower, () => `the REMOVE dispatch routine of ${target.Name} returned ${ntStatusName(status)}, but IoCallDriver had returned ${ntStatusName(lower)} for ${rec.label}, which the lower drivers still hold: the PnP manager would take the REMOVE for done while it is in flight; propagate IoCallDriver's status`);
    }
    if (status === STATUS_PENDING) {
      if ((loc.Control & SL_PENDING_RETURNED) === 0) {
        // Not marked yet: wrong if the IRP is already complete; otherwise the mark may still come
        // from the driver's completion routine when the lower driver pended it (checked in complete).
        m.verifier.check('IRP-04', !rec.completed, () => `the dispatch routine returned STATUS_PENDING for ${rec.label} without calling IoMarkIrpPending`);
        (rec.unmarkedPending ??= []).push(index);
      }
    } else if (rec.completed) {
      m.verifier.check('IRP-04', status === rec.irp.IoStatus.Status >>> 0 || !isNtStatus(rec.irp.IoStatus.Status), () => `the dispatch routine returned ${ntStatusName(status)} but completed ${rec.label} with ${ntStatusName(rec.irp.IoStatus.Status)}`);
    }
    return status;
  }

  /** IoCompleteRequest: walks the stack upward running completion routines. */
  complete(rec: IrpRecord, byProvider: boolean): void {
    const m: IoHost = this.m;
    if (byProvider) {
      const routine = rec.routineReturned;
      if (routine !== undefined) {
        // The wait-on-an-event technique (F103): the routine must stop completion with
        // STATUS_MORE_PROCESSING_REQUIRED so that the dispatch routine, which completes the IRP
        // afterwards, still owns it. Any other NTSTATUS lets the I/O manager finish completing it.
        m.verifier.check('IRP-07', !(rec.completed && routine.status !== STATUS_MORE_PROCESSING_REQUIRED), () => `IoCompleteRequest(${rec.label}) after the completion routine of ${routine.upper} returned ${ntStatusName(routine.status)}, not STATUS_MORE_PROCESSING_REQUIRED, so the I/O manager had already finished completing the IRP; a routine must return STATUS_MORE_PROCESSING_REQUIRED when its driver goes on to complete the IRP itself`);
      }
      m.verifier.check('IRP-01', !rec.completed, () => `IoCompleteRequest(${rec.label}) on an IRP that was already completed (double completion)`);
      m.verifier.check('IRP-01', this.ownedByDriver(rec), () => `IoCompleteRequest(${rec.label}) on an IRP the provider passed down and does not own any more`);
      m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `IoCompleteRequest at ${irqlName(m.cpus.current.irql)}`);
      m.verifier.check('KAPI-03', isNtStatus(rec.irp.IoStatus.Status), () => `IoCompleteRequest(${rec.label}) with IoStatus.Status = ${String(rec.irp.IoStatus.Status)}, not an NTSTATUS`);
      rec.irp.IoStatus.Status = rec.irp.IoStatus.Status >>> 0;
      const status = rec.irp.IoStatus.Status >>> 0;
      m.trace.add('call', () => `IoCompleteRequest(${rec.label}, ${ntStatusName(status)})`);
      rec.fdoCompletions++;
      m.observe({ op: 'FdoCompleted', status: rec.irp.IoStatus.Status });
    }
    const size = rec.stack.length;
    for (let loc = rec.cur; loc < size; loc++) {
      const sl = rec.stack[loc]!;
      if (rec.unmarkedPending !== undefined && rec.unmarkedPending.includes(loc)) {
        m.verifier.check('IRP-04', (sl.Control & SL_PENDING_RETURNED) !== 0, () => `the dispatch routine of ${sl.DeviceObject?.Name ?? 'the FDO'} returned STATUS_PENDING for ${rec.label} but the IRP was never marked pending at its stack location (neither IoMarkIrpPending in the dispatch routine nor, when the lower driver pended, in its completion routine)`);
      }
      rec.irp.PendingReturned = (sl.Control & SL_PENDING_RETURNED) !== 0;
      rec.cur = loc + 1;
      const routine = sl.CompletionRoutine;
      const ok = NT_SUCCESS(rec.irp.IoStatus.Status);
      if (routine && (sl.Control & (ok ? SL_INVOKE_ON_SUCCESS : SL_INVOKE_ON_ERROR)) !== 0) {
        sl.CompletionRoutine = null;
        const upper = rec.stack[rec.cur]?.DeviceObject ?? null;
        const r = this.runCompletionRoutine(routine, upper, rec, sl.Context);
        if (r === STATUS_MORE_PROCESSING_REQUIRED) return;
      } else if (rec.irp.PendingReturned && rec.cur < size) {
        rec.stack[rec.cur]!.Control |= SL_PENDING_RETURNED;
      }
    }
    rec.completed = true;
    const final = rec.irp.IoStatus.Status >>> 0;
    m.trace.add('irp', () => `${rec.label} completed with ${ntStatusName(final)}`);
    rec.onCompleted?.();
  }

  private runCompletionRoutine(routine: IO_COMPLETION_ROUTINE, upper: DEVICE_OBJECT | null, rec: IrpRecord, context: unknown): number {
    const m: IoHost = this.m;
    const { cpu, irql } = m.cpus.current;
    const r = callProvider(m, `CompletionRoutine(${upper?.Name ?? 'NULL'}, ${rec.label})`, { cpu, irql }, 'ntstatus', () => routine(upper, rec.irp, context)) as number;
    // Any NTSTATUS other than STATUS_MORE_PROCESSING_REQUIRED continues completion (the I/O manager
    // looks for that one value only); a value that is not an NTSTATUS fails KAPI-03 in callProvider.
    // Whether continuing was right is judged when the driver completes the IRP again (IRP-07).
    rec.routineReturned = { status: r, upper: upper?.Name ?? 'NULL' };
    return r;
  }
}
