import { assertNever } from '../../util/assert-never';
import type { RuleId } from '../../../spec';
import { eventLabel, type LifecycleEvent } from './events';
import type { IrpOutcome, Observation, ObservationOp } from './observation';
import { notifiesPower, type DeviceModel, type ModelContext } from './pnp-state';

/** One judgement of the model: a rule, whether it held, and why not. */
export interface Finding {
  readonly ruleId: RuleId;
  readonly ok: boolean;
  readonly message: string;
}

const STATUS_SUCCESS = 0;
const STATUS_UNSUCCESSFUL = 0xc000_0001;
const STATUS_NOT_SUPPORTED = 0xc000_00bb;
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
  const { o, final, passedDownOnce, noFdoCompletion } = j;

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
        j.add('PNP-START-03', o.count('NetDmaProviderStart') === o.count('NetDmaProviderStop'), 'the provider failed START but left the NetDMA provider started');
      }
      j.add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'START ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'QUERY_STOP': {
      const x = e;
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
      j.add('PNP-FILTER-04', final === STATUS_SUCCESS, () => `ended with ${hex(final)}; the lower drivers succeeded it`);
      if (before.pnp === 'Added') j.add('PNP-FILTER-05', passedDownOnce && final === STATUS_SUCCESS, 'the FDO was not ready for FILTER_RESOURCE_REQUIREMENTS right after AddDevice');
      break;
    }
    case 'SET_POWER': {
      const x = e;
      j.add('PWR-05', passedDownOnce && final === STATUS_SUCCESS, () => `SET_POWER must be passed down and succeed (reached the bus ${out.lowerReceptions} time(s), final ${hex(final)})`);
      const mustNotify = notifiesPower(ctx) && before.providerStarted;
      if (x.to === 'D3') {
        const n = o.notify(5);
        if (mustNotify) j.add('PWR-01', n !== undefined && n.seq < o.at('LowerReceived'), n ? 'NetDmaPnPEventNotify(PowerDown) came after the IRP was passed down (the device may already be off)' : 'no NetDmaPnPEventNotify(PowerDown) before leaving D0');
      } else {
        const n = o.notify(6);
        if (mustNotify && before.poweredDownNotified) j.add('PWR-02', n !== undefined && n.seq > o.at('LowerCompleted'), n ? 'NetDmaPnPEventNotify(PowerUp) came before the lower drivers returned the device to D0' : 'no NetDmaPnPEventNotify(PowerUp) after returning to D0');
      }
      break;
    }
    case 'SYSTEM_POWER':
      // Several IRPs, each judged on its own by judgeSystemPower (system-power.ts).
      break;
    case 'QUERY_CAPABILITIES': {
      j.add('IRP-06', passedDownOnce && noFdoCompletion && o.lowerStatus() === STATUS_NOT_SUPPORTED, () => `an IRP the provider does not handle must be passed down with its status untouched (passed down ${out.lowerReceptions}, status at the bus ${hex(o.lowerStatus() ?? 0)})`);
      break;
    }
    default:
      assertNever(e);
  }
  return j.findings;
}

/** Whether the IRP counts as succeeded for {@link nextState}. */
export function succeeded(e: LifecycleEvent, out: IrpOutcome): boolean {
  return ok(out.finalStatus) && (e.type !== 'START' || out.observations.some((x) => x.op === 'LowerCompleted' && x.status === STATUS_SUCCESS));
}
