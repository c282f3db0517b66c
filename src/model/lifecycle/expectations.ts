import { assertNever } from '../assert-never';
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

/** Helpers over the observation list of one IRP. */
class Obs {
  constructor(readonly list: readonly Observation[]) {}
  count(op: ObservationOp): number {
    return this.list.filter((o) => o.op === op).length;
  }
  first(op: ObservationOp): Observation | undefined {
    return this.list.find((o) => o.op === op);
  }
  /** seq of the first `op`, or +Infinity. */
  at(op: ObservationOp): number {
    return this.first(op)?.seq ?? Number.POSITIVE_INFINITY;
  }
  /** True when every `a` happens before every `b` (vacuous if either is absent). */
  before(a: ObservationOp, b: ObservationOp): boolean {
    const as = this.list.filter((o) => o.op === a).map((o) => o.seq);
    const bs = this.list.filter((o) => o.op === b).map((o) => o.seq);
    return as.length === 0 || bs.length === 0 || Math.max(...as) < Math.min(...bs);
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
    return this.list.find((o) => o.op === 'NetDmaPnPEventNotify' && o.code === code);
  }
}

/**
 * What the provider must have done for one IRP (F103–F115, F42, F50, F121–F123), given the
 * model's state before it and how the lower drivers answered. Pure: the kernel's observations in,
 * findings out. Returns every rule it judged, passed or not, so coverage counts them.
 */
export function judge(ctx: ModelContext, before: DeviceModel, e: LifecycleEvent, out: IrpOutcome): Finding[] {
  const f: Finding[] = [];
  const o = new Obs(out.observations);
  const label = eventLabel(e);
  const add = (ruleId: RuleId, holds: boolean, message: string) => f.push({ ruleId, ok: holds, message: holds ? '' : `${label}: ${message}` });
  const final = out.finalStatus;
  const passedDownOnce = out.lowerReceptions === 1;
  const noFdoCompletion = out.fdoCompletions === 0;

  add('IRP-01', out.completed && out.lowerReceptions <= 1 && out.fdoCompletions <= 1, `the IRP was ${out.completed ? '' : 'never '}completed, reached the bus driver ${out.lowerReceptions} time(s) and was completed by the provider ${out.fdoCompletions} time(s)`);

  /** A top-down IRP the provider must succeed: status SUCCESS set, passed down, not completed by it. */
  const passDownSuccess = (rule: RuleId) => {
    add(rule, passedDownOnce && noFdoCompletion, `must be passed down (not completed by the provider): passed down ${out.lowerReceptions} time(s), completed by the provider ${out.fdoCompletions} time(s)`);
    add(rule, o.lowerStatus() === STATUS_SUCCESS || !passedDownOnce, `the provider passed it down with status ${hex(o.lowerStatus() ?? 0)}; it must set STATUS_SUCCESS first`);
    add(rule, final === STATUS_SUCCESS, `final status ${hex(final)}; it must never fail`);
    add('IRP-03', o.lowerStatus() === STATUS_SUCCESS || !passedDownOnce, `handled successfully but passed down with status ${hex(o.lowerStatus() ?? 0)} instead of STATUS_SUCCESS`);
  };
  /** A bottom-up IRP the provider must succeed: passed down first, then completed with success. */
  const lowerFirstSuccess = (rule: RuleId) => {
    add(rule, passedDownOnce, `must be passed down to the lower drivers first (reached the bus ${out.lowerReceptions} time(s))`);
    add(rule, final === STATUS_SUCCESS, `final status ${hex(final)}; it must never fail`);
    add(rule, o.at('FdoCompleted') === Number.POSITIVE_INFINITY || o.before('LowerCompleted', 'FdoCompleted'), 'the provider completed it before the lower drivers had');
  };
  /** A query: granted (passed down with success) or refused (completed with an error, not passed down). */
  const query = (rule: RuleId, busAnswer: 'succeed' | 'fail') => {
    const refusedByProvider = out.lowerReceptions === 0;
    if (refusedByProvider) {
      add(rule, out.fdoCompletions === 1 && !ok(final), `refused by the provider but ${out.fdoCompletions === 1 ? `completed with success ${hex(final)}` : 'not completed by it'}`);
    } else {
      add(rule, noFdoCompletion && o.lowerStatus() === STATUS_SUCCESS, `granted queries are passed down with STATUS_SUCCESS and not completed by the provider (status at the bus ${hex(o.lowerStatus() ?? 0)}, provider completions ${out.fdoCompletions})`);
      add('IRP-03', o.lowerStatus() === STATUS_SUCCESS, `passed down with status ${hex(o.lowerStatus() ?? 0)} instead of STATUS_SUCCESS`);
      add(rule, busAnswer === 'succeed' ? final === STATUS_SUCCESS : !ok(final), `final status ${hex(final)} does not match the lower drivers' answer`);
    }
  };
  const noStopNoDeregister = (rule: RuleId) =>
    add(rule, o.count('NetDmaProviderStop') === 0 && o.count('NetDmaDeregisterProvider') === 0 && o.count('HardwareReleased') === 0, 'the provider stopped, deregistered or released hardware; a query or cancel may be followed by a return to the started state without a new START');
  const released = () => out.hardwareHeldAfter.registers === 0 && out.hardwareHeldAfter.interrupts === 0;
  const heldText = () => `${out.hardwareHeldAfter.registers} register mapping(s) and ${out.hardwareHeldAfter.interrupts} interrupt connection(s) still held`;

  switch (e.type) {
    case 'START': {
      const x = e;
      add('PNP-START-01', passedDownOnce, `START must be passed down to the lower drivers first (reached the bus ${out.lowerReceptions} time(s))`);
      add('PNP-START-01', o.count('NetDmaProviderStart') === 0 || o.at('LowerCompleted') < o.at('NetDmaProviderStart'),
        'NetDmaProviderStart was called before the lower drivers completed START');
      add('PNP-START-01', o.at('FdoCompleted') === Number.POSITIVE_INFINITY || o.before('LowerCompleted', 'FdoCompleted'), 'START was completed by the provider before the lower drivers completed it');
      const lowerOk = o.lowerCompletedStatus() === STATUS_SUCCESS;
      if (x.bus === 'fail' || !lowerOk) {
        add('PNP-START-02', o.count('NetDmaProviderStart') === 0, 'the lower drivers failed START but the provider went on and called NetDmaProviderStart');
        add('PNP-START-02', final === (o.lowerCompletedStatus() ?? STATUS_UNSUCCESSFUL), `the lower drivers failed START with ${hex(o.lowerCompletedStatus() ?? STATUS_UNSUCCESSFUL)} but the IRP ended with ${hex(final)}`);
      } else if (ok(final)) {
        add('PNP-START-03', o.count('NetDmaProviderStart') === 1, `START succeeded with ${o.count('NetDmaProviderStart')} NetDmaProviderStart call(s); exactly one is required`);
        add('PNP-START-10', final === STATUS_SUCCESS, `a successful START must end with STATUS_SUCCESS, not ${hex(final)}`);
      } else {
        // The provider itself failed START: it must not be left started.
        add('PNP-START-03', o.count('NetDmaProviderStart') === o.count('NetDmaProviderStop'), 'the provider failed START but left the NetDMA provider started');
      }
      add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'START ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'QUERY_STOP': {
      const x = e;
      query('PNP-QSTOP-01', x.bus);
      noStopNoDeregister('PNP-QSTOP-02');
      add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'QUERY_STOP ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'STOP': {
      passDownSuccess('PNP-STOP-01');
      if (before.providerStarted) {
        add('PNP-STOP-02', o.count('NetDmaProviderStop') === 1, `a started provider must call NetDmaProviderStop once during STOP (called ${o.count('NetDmaProviderStop')} time(s))`);
        add('PNP-STOP-02', o.before('NetDmaProviderStop', 'HardwareReleased'), 'hardware resources were released before NetDmaProviderStop returned');
      }
      add('PNP-STOP-03', released(), `STOP returned with ${heldText()}`);
      break;
    }
    case 'CANCEL_STOP': {
      lowerFirstSuccess('PNP-CSTOP-01');
      noStopNoDeregister('PNP-QSTOP-02');
      break;
    }
    case 'QUERY_REMOVE': {
      const x = e;
      query('PNP-QREM-01', x.bus);
      noStopNoDeregister('PNP-QREM-02');
      add('IRP-02', final !== STATUS_NOT_SUPPORTED, 'QUERY_REMOVE ended with STATUS_NOT_SUPPORTED');
      break;
    }
    case 'CANCEL_REMOVE': {
      lowerFirstSuccess('PNP-CREM-01');
      noStopNoDeregister('PNP-QREM-02');
      break;
    }
    case 'SURPRISE_REMOVAL': {
      passDownSuccess('PNP-SURP-01');
      if (before.providerStarted) {
        add('PNP-SURP-02', o.count('NetDmaProviderStop') === 1, `a started provider must call NetDmaProviderStop during SURPRISE_REMOVAL (called ${o.count('NetDmaProviderStop')} time(s))`);
        add('PNP-SURP-02', o.before('NetDmaProviderStop', 'HardwareReleased'), 'hardware resources were released before NetDmaProviderStop returned');
      }
      add('PNP-SURP-02', released(), `SURPRISE_REMOVAL returned with ${heldText()}`);
      add('PNP-SURP-03', o.count('IoDetachDevice') === 0 && o.count('IoDeleteDevice') === 0 && out.fdoAttachedAfter, 'the FDO was detached or deleted during SURPRISE_REMOVAL; it stays until REMOVE');
      break;
    }
    case 'REMOVE': {
      passDownSuccess('PNP-REM-01');
      if (before.providerStarted) {
        add('PNP-REM-02', o.count('NetDmaProviderStop') === 1 && o.before('NetDmaProviderStop', 'NetDmaDeregisterProvider'), 'a started provider must call NetDmaProviderStop before NetDmaDeregisterProvider');
      }
      const expectDereg = before.providerRegistered ? 1 : 0;
      add('PNP-REM-03', o.count('NetDmaDeregisterProvider') === expectDereg, `REMOVE must leave the provider deregistered exactly once (NetDmaDeregisterProvider called ${o.count('NetDmaDeregisterProvider')} time(s), expected ${expectDereg})`);
      add('PNP-REM-04', o.count('IoDetachDevice') === 1 && o.count('IoDeleteDevice') === 1 && !out.fdoAttachedAfter, `the FDO must be detached and deleted (IoDetachDevice ${o.count('IoDetachDevice')}, IoDeleteDevice ${o.count('IoDeleteDevice')})`);
      add('PNP-REM-04', o.before('LowerReceived', 'IoDetachDevice') && o.before('LowerReceived', 'IoDeleteDevice'), 'the FDO was detached or deleted before REMOVE was passed down');
      add('PNP-REM-05', o.before('NetDmaDeregisterProvider', 'IoDeleteDevice'), 'IoDeleteDevice came before NetDmaDeregisterProvider');
      add('PNP-REM-06', released(), `REMOVE returned with ${heldText()}`);
      break;
    }
    case 'FILTER_RESOURCE_REQUIREMENTS': {
      add('PNP-FILTER-01', passedDownOnce, `FILTER_RESOURCE_REQUIREMENTS must be passed down (reached the bus ${out.lowerReceptions} time(s))`);
      add('PNP-FILTER-04', final === STATUS_SUCCESS, `ended with ${hex(final)}; the lower drivers succeeded it`);
      if (before.pnp === 'Added') add('PNP-FILTER-05', passedDownOnce && final === STATUS_SUCCESS, 'the FDO was not ready for FILTER_RESOURCE_REQUIREMENTS right after AddDevice');
      break;
    }
    case 'SET_POWER': {
      const x = e;
      add('PWR-05', passedDownOnce && final === STATUS_SUCCESS, `SET_POWER must be passed down and succeed (reached the bus ${out.lowerReceptions} time(s), final ${hex(final)})`);
      const mustNotify = notifiesPower(ctx) && before.providerStarted;
      if (x.to === 'D3') {
        const n = o.notify(5);
        if (mustNotify) add('PWR-01', n !== undefined && n.seq < o.at('LowerReceived'), n ? 'NetDmaPnPEventNotify(PowerDown) came after the IRP was passed down (the device may already be off)' : 'no NetDmaPnPEventNotify(PowerDown) before leaving D0');
      } else {
        const n = o.notify(6);
        if (mustNotify && before.poweredDownNotified) add('PWR-02', n !== undefined && n.seq > o.at('LowerCompleted'), n ? 'NetDmaPnPEventNotify(PowerUp) came before the lower drivers returned the device to D0' : 'no NetDmaPnPEventNotify(PowerUp) after returning to D0');
      }
      break;
    }
    case 'QUERY_CAPABILITIES': {
      add('IRP-06', passedDownOnce && noFdoCompletion && o.lowerStatus() === STATUS_NOT_SUPPORTED, `an IRP the provider does not handle must be passed down with its status untouched (passed down ${out.lowerReceptions}, status at the bus ${hex(o.lowerStatus() ?? 0)})`);
      break;
    }
    default:
      assertNever(e);
  }
  return f;
}

/** Whether the IRP counts as succeeded for {@link nextState}. */
export function succeeded(e: LifecycleEvent, out: IrpOutcome): boolean {
  return ok(out.finalStatus) && (e.type !== 'START' || out.observations.some((x) => x.op === 'LowerCompleted' && x.status === STATUS_SUCCESS));
}
