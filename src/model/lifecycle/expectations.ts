import { assertNever } from '../../util/assert-never';
import type { RuleId } from '../../../spec';
import { eventLabel, mustNotHandle, type LifecycleEvent } from './events';
import type { IrpOutcome, Observation, ObservationOp } from './observation';
import { inSpecialPath, notifiesPower, type DeviceModel, type ModelContext } from './pnp-state';

/** One judgement of the model: a rule, whether it held, and why not. */
export interface Finding {
  readonly ruleId: RuleId;
  readonly ok: boolean;
  readonly message: string;
}

const STATUS_SUCCESS = 0;
const STATUS_UNSUCCESSFUL = 0xc000_0001;
const STATUS_NOT_SUPPORTED = 0xc000_00bb;
/** `DO_POWER_PAGABLE` (wdm.h). */
const DO_POWER_PAGABLE = 0x0000_2000;
const ok = (s: number) => s >>> 0 <= 0x7fff_ffff;
const hex = (s: number) => `0x${(s >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** Helpers over the observation list of one IRP (loops, not array methods: judged on every IRP). */
class Obs {
  constructor(readonly list: readonly Observation[]) {}
  count(op: ObservationOp): number {
    let n = 0;
    for (const o of this.list) if (o.op === op) n++;
    return n;
  }
  first(op: ObservationOp): Observation | undefined {
    for (const o of this.list) if (o.op === op) return o;
    return undefined;
  }
  /** seq of the first `op`, or +Infinity. */
  at(op: ObservationOp): number {
    return this.first(op)?.seq ?? Number.POSITIVE_INFINITY;
  }
  /** True when every `a` happens before every `b` (vacuous if either is absent). */
  before(a: ObservationOp, b: ObservationOp): boolean {
    let lastA = Number.NEGATIVE_INFINITY;
    let firstB = Number.POSITIVE_INFINITY;
    for (const o of this.list) {
      if (o.op === a && o.seq > lastA) lastA = o.seq;
      if (o.op === b && o.seq < firstB) firstB = o.seq;
    }
    return lastA === Number.NEGATIVE_INFINITY || firstB === Number.POSITIVE_INFINITY || lastA < firstB;
  }
  lowerStatus(): number | undefined {
    const o = this.first('LowerReceived');
    return o && o.op === 'LowerReceived' ? o.status : undefined;
  }
  lowerCompletedStatus(): number | undefined {
    const o = this.first('LowerCompleted');
    return o && o.op === 'LowerCompleted' ? o.status : undefined;
  }
  /** IoStatus.Information as the bus driver completed the IRP: its rendering then, when it could be rendered, else the value. */
  lowerCompletedInformation(): { readonly value: unknown; readonly text: string | undefined } {
    const o = this.first('LowerCompleted');
    return o && o.op === 'LowerCompleted' ? { value: o.information, text: o.informationText } : { value: undefined, text: undefined };
  }
  notify(code: number): Observation | undefined {
    for (const o of this.list) if (o.op === 'NetDmaPnPEventNotify' && o.code === code) return o;
    return undefined;
  }
}

/** A finding's reason: the text, or a function forming it (called only when the rule did not hold). */
type Reason = string | (() => string);

/** The judgement of one IRP in progress: what {@link judge} and its module-level helpers share. */
class Judgement {
  readonly findings: Finding[] = [];
  readonly o: Obs;
  readonly final: number;
  readonly passedDownOnce: boolean;
  readonly noFdoCompletion: boolean;
  /**
   * Form every reason, held or not, as the eager formatting did: set when the status the provider
   * passed down is not a number, since formatting it may run the provider's code or throw.
   */
  readonly eager: boolean;

  constructor(
    readonly e: LifecycleEvent,
    readonly out: IrpOutcome,
  ) {
    this.o = new Obs(out.observations);
    this.final = out.finalStatus;
    this.passedDownOnce = out.lowerReceptions === 1;
    this.noFdoCompletion = out.fdoCompletions === 0;
    const lower = this.o.lowerStatus();
    this.eager = lower !== undefined && typeof lower !== 'number';
  }

  add(ruleId: RuleId, holds: boolean, reason: Reason): void {
    let message = '';
    if (!holds || this.eager) {
      const text = typeof reason === 'string' ? reason : reason();
      if (!holds) message = `${eventLabel(this.e)}: ${text}`;
    }
    this.findings.push({ ruleId, ok: holds, message });
  }
}

/** A top-down IRP the provider must succeed: status SUCCESS set, passed down, not completed by it. */
function passDownSuccess(j: Judgement, rule: RuleId): void {
  const { o, out, final, passedDownOnce } = j;
  j.add(rule, passedDownOnce && j.noFdoCompletion, () => `must be passed down (not completed by the provider): passed down ${out.lowerReceptions} time(s), completed by the provider ${out.fdoCompletions} time(s)`);
  j.add(rule, o.lowerStatus() === STATUS_SUCCESS || !passedDownOnce, () => `the provider passed it down with status ${hex(o.lowerStatus() ?? 0)}; it must set STATUS_SUCCESS first`);
  j.add(rule, final === STATUS_SUCCESS, () => `final status ${hex(final)}; it must never fail`);
  j.add('IRP-03', o.lowerStatus() === STATUS_SUCCESS || !passedDownOnce, () => `handled successfully but passed down with status ${hex(o.lowerStatus() ?? 0)} instead of STATUS_SUCCESS`);
}

/** A bottom-up IRP the provider must succeed: passed down first, then completed with success. */
function lowerFirstSuccess(j: Judgement, rule: RuleId): void {
  const { o, out, final } = j;
  j.add(rule, j.passedDownOnce, () => `must be passed down to the lower drivers first (reached the bus ${out.lowerReceptions} time(s))`);
  j.add(rule, final === STATUS_SUCCESS, () => `final status ${hex(final)}; it must never fail`);
  j.add(rule, o.at('FdoCompleted') === Number.POSITIVE_INFINITY || o.before('LowerCompleted', 'FdoCompleted'), 'the provider completed it before the lower drivers had');
}

/** A query: granted (passed down with success) or refused (completed with an error, not passed down). */
function query(j: Judgement, rule: RuleId, busAnswer: 'succeed' | 'fail'): void {
  const { o, out, final } = j;
  const refusedByProvider = out.lowerReceptions === 0;
  if (refusedByProvider) {
    j.add(rule, out.fdoCompletions === 1 && !ok(final), () => `refused by the provider but ${out.fdoCompletions === 1 ? `completed with success ${hex(final)}` : 'not completed by it'}`);
  } else {
    j.add(rule, j.noFdoCompletion && o.lowerStatus() === STATUS_SUCCESS, () => `granted queries are passed down with STATUS_SUCCESS and not completed by the provider (status at the bus ${hex(o.lowerStatus() ?? 0)}, provider completions ${out.fdoCompletions})`);
    j.add('IRP-03', o.lowerStatus() === STATUS_SUCCESS, () => `passed down with status ${hex(o.lowerStatus() ?? 0)} instead of STATUS_SUCCESS`);
    j.add(rule, busAnswer === 'succeed' ? final === STATUS_SUCCESS : !ok(final), () => `final status ${hex(final)} does not match the lower drivers' answer`);
  }
}

function noStopNoDeregister(j: Judgement, rule: RuleId): void {
  const o = j.o;
  j.add(rule, o.count('NetDmaProviderStop') === 0 && o.count('NetDmaDeregisterProvider') === 0 && o.count('HardwareReleased') === 0, 'the provider stopped, deregistered or released hardware; a query or cancel may be followed by a return to the started state without a new START');
}

function released(out: IrpOutcome): boolean {
  return out.hardwareHeldAfter.registers === 0 && out.hardwareHeldAfter.interrupts === 0;
}

function heldText(out: IrpOutcome): string {
  return `${out.hardwareHeldAfter.registers} register mapping(s) and ${out.hardwareHeldAfter.interrupts} interrupt connection(s) still held`;
}

/**
 * What the provider must have done for one IRP (F103–F115, F42, F50, F121–F123), given the
 * model's state before it and how the lower drivers answered. Pure: the kernel's observations in,
 * findings out. Returns every rule it judged, passed or not, so coverage counts them.
 */
export function judge(ctx: ModelContext, before: DeviceModel, e: LifecycleEvent, out: IrpOutcome): Finding[] {
  const j = new Judgement(e, out);
  const { o, final, passedDownOnce } = j;

  j.add('IRP-01', out.completed && out.lowerReceptions <= 1 && out.fdoCompletions <= 1, () => `the IRP was ${out.completed ? '' : 'never '}completed, reached the bus driver ${out.lowerReceptions} time(s) and was completed by the provider ${out.fdoCompletions} time(s)`);

  switch (e.type) {
    case 'START': {
      const x = e;
      j.add('PNP-START-01', passedDownOnce, () => `START must be passed down to the lower drivers first (reached the bus ${out.lowerReceptions} time(s))`);
      j.add('PNP-START-01', o.count('NetDmaProviderStart') === 0 || o.at('LowerCompleted') < o.at('NetDmaProviderStart'),
        'NetDmaProviderStart was called before the lower drivers completed START');
      j.add('PNP-START-01', o.at('FdoCompleted') === Number.POSITIVE_INFINITY || o.before('LowerCompleted', 'FdoCompleted'), 'START was completed by the provider before the lower drivers completed it');
      const lowerOk = o.lowerCompletedStatus() === STATUS_SUCCESS;
      if (x.bus === 'fail' || !lowerOk) {
        j.add('PNP-START-02', o.count('NetDmaProviderStart') === 0, 'the lower drivers failed START but the provider went on and called NetDmaProviderStart');
        j.add('PNP-START-02', final === (o.lowerCompletedStatus() ?? STATUS_UNSUCCESSFUL), () => `the lower drivers failed START with ${hex(o.lowerCompletedStatus() ?? STATUS_UNSUCCESSFUL)} but the IRP ended with ${hex(final)}`);
      } else if (ok(final)) {
        j.add('PNP-START-03', o.count('NetDmaProviderStart') === 1, () => `START succeeded with ${o.count('NetDmaProviderStart')} NetDmaProviderStart call(s); exactly one is required`);
        j.add('PNP-START-10', final === STATUS_SUCCESS, () => `a successful START must end with STATUS_SUCCESS, not ${hex(final)}`);
      } else {
        // The provider itself failed START: it must not be left started.
        // Every NetDmaProviderStart of this START is undone; a provider may also stop one it had started
        // before (a failed START to a started device) or stop a provider it never started (NDMA-STOP-01).
        j.add('PNP-START-03', o.count('NetDmaProviderStart') <= o.count('NetDmaProviderStop'), 'the provider failed START but left the NetDMA provider started');
        // What it acquired for this START is released before it completes the IRP (a START to a started device keeps its old resources).
        if (before.pnp !== 'Started') j.add('LOWRES-START-01', released(out), () => `the provider failed START with ${hex(final)} but returned with ${heldText(out)}`);
      }
      j.add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'START ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'QUERY_STOP': {
      const x = e;
      inPathRefuses(j, before);
      query(j, 'PNP-QSTOP-01', x.bus);
      noStopNoDeregister(j, 'PNP-QSTOP-02');
      j.add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'QUERY_STOP ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'STOP': {
      passDownSuccess(j, 'PNP-STOP-01');
      if (before.providerStarted) {
        j.add('PNP-STOP-02', o.count('NetDmaProviderStop') === 1, () => `a started provider must call NetDmaProviderStop once during STOP (called ${o.count('NetDmaProviderStop')} time(s))`);
        j.add('PNP-STOP-02', o.before('NetDmaProviderStop', 'HardwareReleased'), 'hardware resources were released before NetDmaProviderStop returned');
      }
      j.add('PNP-STOP-03', released(out), () => `STOP returned with ${heldText(out)}`);
      break;
    }
    case 'CANCEL_STOP': {
      lowerFirstSuccess(j, 'PNP-CSTOP-01');
      noStopNoDeregister(j, 'PNP-QSTOP-02');
      break;
    }
    case 'QUERY_REMOVE': {
      const x = e;
      inPathRefuses(j, before);
      query(j, 'PNP-QREM-01', x.bus);
      noStopNoDeregister(j, 'PNP-QREM-02');
      j.add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'QUERY_REMOVE ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'CANCEL_REMOVE': {
      lowerFirstSuccess(j, 'PNP-CREM-01');
      noStopNoDeregister(j, 'PNP-QREM-02');
      break;
    }
    case 'SURPRISE_REMOVAL': {
      passDownSuccess(j, 'PNP-SURP-01');
      if (before.providerStarted) {
        j.add('PNP-SURP-02', o.count('NetDmaProviderStop') === 1, () => `a started provider must call NetDmaProviderStop during SURPRISE_REMOVAL (called ${o.count('NetDmaProviderStop')} time(s))`);
        j.add('PNP-SURP-02', o.before('NetDmaProviderStop', 'HardwareReleased'), 'hardware resources were released before NetDmaProviderStop returned');
      }
      j.add('PNP-SURP-02', released(out), () => `SURPRISE_REMOVAL returned with ${heldText(out)}`);
      // Decision A13: the provider may deregister here ("clean up", F114) instead of at REMOVE, once.
      j.add('PNP-REM-03', o.count('NetDmaDeregisterProvider') <= (before.providerRegistered ? 1 : 0), () => `SURPRISE_REMOVAL called NetDmaDeregisterProvider ${o.count('NetDmaDeregisterProvider')} time(s); a registered provider is deregistered once, here or at REMOVE`);
      j.add('PNP-SURP-03', o.count('IoDetachDevice') === 0 && o.count('IoDeleteDevice') === 0 && out.fdoAttachedAfter, 'the FDO was detached or deleted during SURPRISE_REMOVAL; it stays until REMOVE');
      break;
    }
    case 'REMOVE': {
      passDownSuccess(j, 'PNP-REM-01');
      if (before.providerStarted) {
        j.add('PNP-REM-02', o.count('NetDmaProviderStop') === 1 && o.before('NetDmaProviderStop', 'NetDmaDeregisterProvider'), 'a started provider must call NetDmaProviderStop before NetDmaDeregisterProvider');
      }
      const expectDereg = before.providerRegistered ? 1 : 0;
      j.add('PNP-REM-03', o.count('NetDmaDeregisterProvider') === expectDereg, () => `REMOVE must leave the provider deregistered exactly once (NetDmaDeregisterProvider called ${o.count('NetDmaDeregisterProvider')} time(s), expected ${expectDereg}${before.pnp === 'SurpriseRemoved' ? `: ${before.providerRegistered ? 'SURPRISE_REMOVAL did not deregister it' : 'SURPRISE_REMOVAL already deregistered it'}` : ''})`);
      j.add('PNP-REM-04', o.count('IoDetachDevice') === 1 && o.count('IoDeleteDevice') === 1 && !out.fdoAttachedAfter, () => `the FDO must be detached and deleted (IoDetachDevice ${o.count('IoDetachDevice')}, IoDeleteDevice ${o.count('IoDeleteDevice')})`);
      j.add('PNP-REM-04', o.before('LowerReceived', 'IoDetachDevice') && o.before('LowerReceived', 'IoDeleteDevice'), 'the FDO was detached or deleted before REMOVE was passed down');
      j.add('PNP-REM-05', o.before('NetDmaDeregisterProvider', 'IoDeleteDevice'), 'IoDeleteDevice came before NetDmaDeregisterProvider');
      j.add('PNP-REM-06', released(out), () => `REMOVE returned with ${heldText(out)}`);
      break;
    }
    case 'FILTER_RESOURCE_REQUIREMENTS': {
      j.add('PNP-FILTER-01', passedDownOnce, () => `FILTER_RESOURCE_REQUIREMENTS must be passed down (reached the bus ${out.lowerReceptions} time(s))`);
      // Finding 6: the FDO may fail it (an error it met) or leave it unhandled; a list it changed is
      // returned with STATUS_SUCCESS, since with STATUS_NOT_SUPPORTED the PnP manager uses the bus
      // driver's requirements and the change is lost.
      const changed = final === STATUS_NOT_SUPPORTED && !sameData(out.finalInformation, o.lowerCompletedInformation());
      j.add('PNP-FILTER-04', !changed, 'the provider changed the requirements list but completed the IRP with STATUS_NOT_SUPPORTED, so the PnP manager ignores the change; a handled FILTER_RESOURCE_REQUIREMENTS ends with STATUS_SUCCESS');
      if (before.pnp === 'Added') j.add('PNP-FILTER-05', passedDownOnce, 'the FDO was not ready for FILTER_RESOURCE_REQUIREMENTS right after AddDevice');
      break;
    }
    case 'SET_POWER': {
      const x = e;
      j.add('PWR-05', passedDownOnce && final === STATUS_SUCCESS, () => `SET_POWER must be passed down and succeed (reached the bus ${out.lowerReceptions} time(s), final ${hex(final)})`);
      const mustNotify = notifiesPower(ctx) && before.providerStarted;
      if (x.to !== 'D0') {
        // Leaving D0 (F50); a deeper state after D1 or D2 leaves nothing more to announce.
        const n = o.notify(5);
        if (mustNotify && before.power === 'D0') j.add('PWR-01', n !== undefined && n.seq < o.at('LowerReceived'), n ? 'NetDmaPnPEventNotify(PowerDown) came after the IRP was passed down (the device may already be off)' : 'no NetDmaPnPEventNotify(PowerDown) before leaving D0');
      } else {
        const n = o.notify(6);
        if (mustNotify && before.poweredDownNotified) j.add('PWR-02', n !== undefined && n.seq > o.at('LowerCompleted'), n ? 'NetDmaPnPEventNotify(PowerUp) came before the lower drivers returned the device to D0' : 'no NetDmaPnPEventNotify(PowerUp) after returning to D0');
      }
      break;
    }
    case 'SYSTEM_POWER':
      // Several IRPs, each judged on its own by judgeSystemPower (system-power.ts).
      break;
    case 'QUERY_CAPABILITIES':
      // Finding 4: a function driver may handle it (forward, edit the capabilities on the way up, complete).
      mayHandle(j);
      break;
    case 'PNP_QUERY':
      if (mustNotHandle(e.query)) mustPassDown(j, 'PNP-SURF-01');
      else mayHandle(j);
      break;
    case 'DEVICE_USAGE_NOTIFICATION': {
      j.add('PNP-SURF-03', passedDownOnce || refused(j), () => `DEVICE_USAGE_NOTIFICATION must be passed down unless the provider refuses the special file with an error status (passed down ${out.lowerReceptions} time(s), provider completions ${out.fdoCompletions}, final ${hex(final)})`);
      const pagingAfter = before.specialFiles[0] + (e.usage === 'Paging' && ok(final) ? (e.inPath ? 1 : -1) : 0);
      if (pagingAfter > 0 && out.fdoAttachedAfter) {
        j.add('PNP-SURF-06', ((out.fdoFlagsAfter ?? 0) & DO_POWER_PAGABLE) === 0, 'the device is on a paging file\'s path but its FDO has DO_POWER_PAGABLE set');
      }
      break;
    }
    case 'OPEN_HANDLE': {
      // The I/O manager completes a CREATE itself when MajorFunction[IRP_MJ_CREATE] is empty
      // (STATUS_INVALID_DEVICE_REQUEST): the create fails then too, so the rule holds.
      if (before.pnp === 'RemovePending') {
        j.add('PNP-SURF-05', !ok(final), () => `IRP_MJ_CREATE after a granted QUERY_REMOVE ended with ${hex(final)}; the driver must fail creates while remove-pending`);
      }
      break;
    }
    case 'SYSTEM_CONTROL': {
      // A WMI request for the PDO's data blocks: not this FDO's, so passed down with IoStatus untouched.
      const reachedDriver = out.lowerReceptions > 0 || out.fdoCompletions > 0;
      if (reachedDriver) {
        j.add('IRP-06', passedDownOnce && o.lowerStatus() === STATUS_NOT_SUPPORTED && final === (o.lowerCompletedStatus() ?? -1), () => `IRP_MJ_SYSTEM_CONTROL for another device object must be passed down with IoStatus untouched (passed down ${out.lowerReceptions} time(s), status at the bus ${hex(o.lowerStatus() ?? 0)}, final ${hex(final)})`);
      }
      break;
    }
    default:
      assertNever(e);
  }
  return j.findings;
}

/** Completed by the provider itself, not passed down, with an error other than STATUS_NOT_SUPPORTED. */
function refused(j: Judgement): boolean {
  return j.out.lowerReceptions === 0 && j.out.fdoCompletions === 1 && !ok(j.final) && j.final !== STATUS_NOT_SUPPORTED;
}

/** A PnP IRP the FDO may handle (PNP-SURF-02): passed down, or failed by the FDO with an error. */
function mayHandle(j: Judgement): void {
  const { out, final } = j;
  j.add('PNP-SURF-02', j.passedDownOnce || refused(j), () => `the provider must pass it down unless it fails it with an error status (passed down ${out.lowerReceptions} time(s), provider completions ${out.fdoCompletions}, final ${hex(final)})`);
}

/**
 * A PnP IRP the FDO must not handle (PNP-SURF-01): passed down with IoStatus untouched (IRP-06),
 * ending as the bus driver completed it.
 */
function mustPassDown(j: Judgement, rule: RuleId): void {
  const { o, out, final } = j;
  j.add(rule, j.passedDownOnce, () => `a function driver must pass this IRP down (reached the bus ${out.lowerReceptions} time(s), provider completions ${out.fdoCompletions}, final ${hex(final)})`);
  if (!j.passedDownOnce) return;
  const atBus = o.first('LowerReceived');
  j.add('IRP-06', o.lowerStatus() === STATUS_NOT_SUPPORTED && (atBus?.op !== 'LowerReceived' || atBus.information === null || atBus.information === undefined),
    () => `an IRP the provider does not handle must be passed down with IoStatus untouched (status at the bus ${hex(o.lowerStatus() ?? 0)})`);
  j.add(rule, final === (o.lowerCompletedStatus() ?? -1) && sameData(out.finalInformation, o.lowerCompletedInformation()),
    () => `the bus driver completed it with ${hex(o.lowerCompletedStatus() ?? 0)} but it ended with ${hex(final)}${sameData(out.finalInformation, o.lowerCompletedInformation()) ? '' : ' and other IoStatus.Information'}`);
}

/** PNP-SURF-04: on the path of a special file, QUERY_STOP and QUERY_REMOVE are refused. */
function inPathRefuses(j: Judgement, before: DeviceModel): void {
  if (!inSpecialPath(before)) return;
  const { out, final } = j;
  j.add('PNP-SURF-04', out.lowerReceptions === 0 && out.fdoCompletions === 1 && !ok(final), () => `the device is on the path of a paging, hibernation or dump file (counts ${before.specialFiles.join('/')}) but the provider ${out.lowerReceptions > 0 ? 'passed the query down' : `completed it with ${hex(final)}`}; it must fail it`);
}

/**
 * Whether the final IoStatus.Information is what the bus driver completed the IRP with: compared
 * by rendering when the bus driver's answer was rendered then (an object edited in place shows),
 * else by identity.
 */
function sameData(final: unknown, lower: { readonly value: unknown; readonly text: string | undefined }): boolean {
  if (lower.text === undefined) return final === lower.value;
  if (typeof final !== 'object' || final === null) return false;
  try {
    return JSON.stringify(final, bigintText) === lower.text;
  } catch {
    return false;
  }
}

function bigintText(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/** Whether the IRP counts as succeeded for {@link nextState}. */
export function succeeded(e: LifecycleEvent, out: IrpOutcome): boolean {
  return ok(out.finalStatus) && (e.type !== 'START' || out.observations.some((x) => x.op === 'LowerCompleted' && x.status === STATUS_SUCCESS));
}
