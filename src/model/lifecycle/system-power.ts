/**
 * The model of a system power transition (`SYSTEM_POWER`): the system IRPs the power manager
 * sends, the device IRPs that follow (requested by the FDO as power-policy owner, or sent by the
 * stack's owner when it requested none), and what the provider must have done in each.
 *
 * PWR-01, PWR-02 (the order of NetDmaPnPEventNotify against the device reaching D3 / D0) and PWR-10
 * (the system IRP completes after the device IRP its owner requested) are judged by the kernel,
 * where they happen, whichever IRP's path the provider does the work in (finding 12); this module
 * judges each IRP's handling and whether a PowerDown was followed by a PowerUp before the step ended.
 *
 * @module
 */
import type { RuleId } from '../../../spec';
import type { LifecycleEvent } from './events';
import type { IrpOutcome } from './observation';
import { notifiesPower, type DeviceModel, type ModelContext } from './pnp-state';
import type { Finding } from './expectations';

const STATUS_SUCCESS = 0;
const ok = (s: number): boolean => s >>> 0 <= 0x7fff_ffff;
const hex = (s: number): string => `0x${(s >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** How each IRP of one system power transition went (null: not sent). */
export interface SystemPowerOutcome {
  /** IRP_MN_QUERY_POWER for the target state (never for S5). */
  readonly query: IrpOutcome | null;
  /** IRP_MN_SET_POWER(S0) after a refused query: Windows cancels the transition. */
  readonly cancel: IrpOutcome | null;
  /** IRP_MN_SET_POWER for the target state. */
  readonly set: IrpOutcome | null;
  /** The device's D3 IRP the stack's owner sent because the FDO requested none. */
  readonly deviceDown: IrpOutcome | null;
  /** IRP_MN_SET_POWER(S0): the system resumes (not after S5). */
  readonly resume: IrpOutcome | null;
  /** The device's D0 IRP the stack's owner sent because the device was still in D3 after resuming. */
  readonly deviceUp: IrpOutcome | null;
  /** Whether the provider had announced PowerDown without PowerUp when the transition was over. */
  readonly poweredDownAtEnd: boolean;
  /**
   * Whether the device was in D0 when the transition was over (unset: as the model expects). An idle
   * (D1/D2) device whose sleep was refused may be brought back to D0 by its power-policy owner on
   * the IRP_MN_SET_POWER(S0) that cancels the transition.
   */
  readonly deviceInD0AtEnd?: boolean;
}

type SystemPowerEvent = Extract<LifecycleEvent, { type: 'SYSTEM_POWER' }>;

/** Findings for one IRP of the transition, prefixed with its name. */
class Findings {
  readonly list: Finding[] = [];
  add(ruleId: RuleId, holds: boolean, what: string, reason: () => string): void {
    this.list.push({ ruleId, ok: holds, message: holds ? '' : `${what}: ${reason()}` });
  }
}

/** Every IRP completed once, reached the bus at most once and was completed by the provider at most once. */
function irpHandled(f: Findings, what: string, out: IrpOutcome): void {
  f.add('IRP-01', out.completed && out.lowerReceptions <= 1 && out.fdoCompletions <= 1, what, () =>
    `the IRP was ${out.completed ? '' : 'never '}completed, reached the bus driver ${out.lowerReceptions} time(s) and was completed by the provider ${out.fdoCompletions} time(s)`);
}

/** A set-power IRP (system or device): passed down once and never failed (PWR-05). */
function setPower(f: Findings, what: string, out: IrpOutcome): void {
  irpHandled(f, what, out);
  f.add('PWR-05', out.lowerReceptions === 1 && out.finalStatus === STATUS_SUCCESS, what, () =>
    `SET_POWER must be passed down and succeed (reached the bus ${out.lowerReceptions} time(s), final ${hex(out.finalStatus)})`);
}

/**
 * What the provider must have done during one system power transition, given the model's state
 * before it. Pure: the IRPs' outcomes in, findings out (every rule judged, held or not).
 */
export function judgeSystemPower(ctx: ModelContext, before: DeviceModel, e: SystemPowerEvent, out: SystemPowerOutcome): Finding[] {
  const f = new Findings();
  const sx = e.to;
  if (out.query) {
    const q = out.query;
    const what = `IRP_MN_QUERY_POWER(${sx})`;
    irpHandled(f, what, q);
    if (q.lowerReceptions === 0) {
      f.add('PWR-11', q.fdoCompletions === 1 && !ok(q.finalStatus), what, () =>
        `not passed down, so refused by the provider, but ${q.fdoCompletions === 1 ? `completed with the success status ${hex(q.finalStatus)}` : 'not completed by it'}; a refusal completes the query with an error status`);
    } else {
      // The status it carries down is not judged: the bus driver answers with its own.
      f.add('PWR-11', e.bus === 'fail' ? !ok(q.finalStatus) : q.finalStatus === STATUS_SUCCESS, what, () =>
        e.bus === 'fail' ? `a lower driver refused the query but it ended with ${hex(q.finalStatus)}: the system would sleep under a driver that cannot` : `the lower drivers granted the query but it ended with ${hex(q.finalStatus)}`);
    }
  }
  if (out.cancel) setPower(f, 'IRP_MN_SET_POWER(S0) cancelling the transition', out.cancel);
  if (out.set) setPower(f, `IRP_MN_SET_POWER(${sx})`, out.set);
  if (out.deviceDown) setPower(f, 'IRP_MN_SET_POWER(D3) from the power-policy owner', out.deviceDown);
  if (out.resume) setPower(f, 'IRP_MN_SET_POWER(S0)', out.resume);
  if (out.deviceUp) setPower(f, 'IRP_MN_SET_POWER(D0) from the power-policy owner', out.deviceUp);
  // An idle (D1/D2) device whose sleep was refused and which stays idle: its provider stays powered down.
  if (sx !== 'S5' && notifiesPower(ctx) && before.providerStarted && (before.power === 'D0' || out.set !== null || out.deviceInD0AtEnd === true)) {
    f.add('PWR-02', !out.poweredDownAtEnd, `system power ${sx}`, () =>
      'the provider announced NetDmaNotificationProviderPowerDown but had not announced NetDmaNotificationProviderPowerUp once the system was back in S0 and the device in D0; its clients stay stopped');
  }
  return f.list;
}
