import {
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IRP_MN_QUERY_POWER,
  IRP_MN_SET_POWER,
  NT_SUCCESS,
  PowerActionHibernate,
  PowerActionNone,
  PowerActionShutdownOff,
  PowerActionSleep,
  PowerSystemHibernate,
  PowerSystemShutdown,
  PowerSystemSleeping1,
  PowerSystemSleeping3,
  PowerSystemWorking,
  ntStatusName,
} from '../../src/kernel/api';
import { busPowerKey, type Machine, type SimDevice } from '../../src/kernel';
import {
  eventLabel,
  judge,
  judgeSystemPower,
  nextState,
  succeeded,
  transitionKey,
  type DeviceModel,
  type IrpOutcome,
  type LifecycleEvent,
  type ModelContext,
  type SystemSleepState,
} from '../../src/model/lifecycle';

/** One enumerated device as a run tracks it: the simulated engine and the model's view of it. */
export interface DeviceSlot {
  readonly sim: SimDevice;
  model: DeviceModel;
  readonly ctx: ModelContext;
}

/** Things a run does around a power IRP (the data path drains and restarts its channels). */
export interface PowerHooks {
  beforePowerDown?(dev: SimDevice): void;
  afterPowerUp?(dev: SimDevice): void;
}

const MINOR: Readonly<Record<Exclude<LifecycleEvent['type'], 'SET_POWER' | 'SYSTEM_POWER'>, number>> = {
  START: IRP_MN_START_DEVICE,
  QUERY_STOP: IRP_MN_QUERY_STOP_DEVICE,
  STOP: IRP_MN_STOP_DEVICE,
  CANCEL_STOP: IRP_MN_CANCEL_STOP_DEVICE,
  QUERY_REMOVE: IRP_MN_QUERY_REMOVE_DEVICE,
  CANCEL_REMOVE: IRP_MN_CANCEL_REMOVE_DEVICE,
  REMOVE: IRP_MN_REMOVE_DEVICE,
  SURPRISE_REMOVAL: IRP_MN_SURPRISE_REMOVAL,
  FILTER_RESOURCE_REQUIREMENTS: IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  QUERY_CAPABILITIES: IRP_MN_QUERY_CAPABILITIES,
};

/**
 * Sends one PnP or power IRP as the PnP manager would (telling the bus driver how to answer),
 * judges what the provider did against the model, records the transition, advances the model, and
 * — after a failed query — sends the cancel the PnP manager sends (F108, F111).
 */
export function sendEvent(m: Machine, slot: DeviceSlot, event: LifecycleEvent, steps: string[], transitions: Map<string, number>, hooks: PowerHooks = {}): void {
  if (event.type === 'SYSTEM_POWER') return sendSystemPower(m, slot, event, steps, transitions, hooks);
  const before = slot.model;
  const dev = slot.sim;
  if (event.type === 'START') dev.bus.next.set(IRP_MN_START_DEVICE, event.bus);
  if (event.type === 'QUERY_STOP') dev.bus.next.set(IRP_MN_QUERY_STOP_DEVICE, event.bus);
  if (event.type === 'QUERY_REMOVE') dev.bus.next.set(IRP_MN_QUERY_REMOVE_DEVICE, event.bus);
  steps.push(`${dev.pdo.Name}: ${eventLabel(event)}`);
  if (event.type === 'SET_POWER' && event.to === 'D3') hooks.beforePowerDown?.(dev);
  const out = event.type === 'SET_POWER' ? m.pnp.sendPower(dev, event.to) : m.pnp.sendPnp(dev, MINOR[event.type]);
  if (event.type === 'SET_POWER' && event.to === 'D0' && NT_SUCCESS(out.finalStatus)) hooks.afterPowerUp?.(dev);
  for (const f of judge(slot.ctx, before, event, out)) m.verifier.check(f.ruleId, f.ok, () => f.message);
  slot.model = nextState(before, event, succeeded(event, out), out.observations.some((o) => o.op === 'NetDmaDeregisterProvider'));
  const key = transitionKey(before.pnp, event, slot.model.pnp);
  transitions.set(key, (transitions.get(key) ?? 0) + 1);
  if ((event.type === 'QUERY_STOP' || event.type === 'QUERY_REMOVE') && !NT_SUCCESS(out.finalStatus)) {
    steps[steps.length - 1] += ` -> ${ntStatusName(out.finalStatus)}`;
    sendEvent(m, slot, { type: event.type === 'QUERY_STOP' ? 'CANCEL_STOP' : 'CANCEL_REMOVE' }, steps, transitions, hooks);
  }
}

/** SYSTEM_POWER_STATE and POWER_ACTION of each target state. */
const SYSTEM: Readonly<Record<SystemSleepState, { readonly state: number; readonly action: number }>> = {
  S1: { state: PowerSystemSleeping1, action: PowerActionSleep },
  S3: { state: PowerSystemSleeping3, action: PowerActionSleep },
  S4: { state: PowerSystemHibernate, action: PowerActionHibernate },
  S5: { state: PowerSystemShutdown, action: PowerActionShutdownOff },
};

/**
 * One system power transition as Windows' power manager runs it (decision A12): IRP_MN_QUERY_POWER
 * for the target state (not for S5); a refusal cancels it with IRP_MN_SET_POWER(S0). Otherwise
 * IRP_MN_SET_POWER for the target state: an FDO that requests the device's D3 IRP with
 * PoRequestPowerIrp while it holds it is the power-policy owner for the transition; if the device
 * is still in D0 once the system IRP completed, the stack's owner sends the D3 IRP itself, as for a
 * device power step. Sleep and hibernate then resume: IRP_MN_SET_POWER(S0), and the D0 IRP from the
 * stack's owner if the FDO did not request one. The bus answers the system IRPs as `event.bus`
 * says; whether it pends the device IRPs is drawn from the run's choices.
 */
function sendSystemPower(m: Machine, slot: DeviceSlot, event: Extract<LifecycleEvent, { type: 'SYSTEM_POWER' }>, steps: string[], transitions: Map<string, number>, hooks: PowerHooks): void {
  const before = slot.model;
  const dev = slot.sim;
  const { state, action } = SYSTEM[event.to];
  steps.push(`${dev.pdo.Name}: ${eventLabel(event)}`);
  const systemPend = event.bus === 'pend' ? 'pend' : 'succeed';
  const devicePend = (): void => {
    if (m.chooser.choose(2, 'the bus pends the device power IRP') === 1) dev.bus.next.set(busPowerKey(IRP_MN_SET_POWER, false), 'pend');
  };
  const provider = () => m.netdma.liveProvidersOf(dev)[0];
  let query: IrpOutcome | null = null;
  let cancel: IrpOutcome | null = null;
  let set: IrpOutcome | null = null;
  let deviceDown: IrpOutcome | null = null;
  let resume: IrpOutcome | null = null;
  let deviceUp: IrpOutcome | null = null;
  let granted = true;
  if (event.to !== 'S5') {
    dev.bus.next.set(busPowerKey(IRP_MN_QUERY_POWER, true), event.bus);
    query = m.pnp.sendSystemPower(dev, IRP_MN_QUERY_POWER, state, action);
    granted = NT_SUCCESS(query.finalStatus);
    if (!granted) {
      // Windows cancels the transition: every stack is told the system stays in S0.
      steps[steps.length - 1] += ` -> query refused (${ntStatusName(query.finalStatus)}), IRP_MN_SET_POWER(S0)`;
      cancel = m.pnp.sendSystemPower(dev, IRP_MN_SET_POWER, PowerSystemWorking, PowerActionNone);
    }
  }
  if (granted) {
    hooks.beforePowerDown?.(dev);
    dev.bus.next.set(busPowerKey(IRP_MN_SET_POWER, true), systemPend);
    devicePend();
    set = m.pnp.sendSystemPower(dev, IRP_MN_SET_POWER, state, action);
    if (dev.powerState === 'D0') deviceDown = m.pnp.sendPower(dev, 'D3');
    if (event.to !== 'S5') {
      dev.bus.next.set(busPowerKey(IRP_MN_SET_POWER, true), systemPend);
      devicePend();
      resume = m.pnp.sendSystemPower(dev, IRP_MN_SET_POWER, PowerSystemWorking, PowerActionNone);
      if (dev.powerState === 'D3') deviceUp = m.pnp.sendPower(dev, 'D0');
      hooks.afterPowerUp?.(dev);
    }
  }
  dev.bus.next.delete(busPowerKey(IRP_MN_SET_POWER, false));
  dev.bus.next.delete(busPowerKey(IRP_MN_SET_POWER, true));
  dev.bus.next.delete(busPowerKey(IRP_MN_QUERY_POWER, true));
  // A PowerUp may be announced from a work item the D0 IRP's completion queued: let the system settle.
  if (provider()?.poweredDown === true) m.work.runUntil(() => provider()?.poweredDown !== true || m.verifier.firstViolation !== undefined, 10_000);
  m.assertAlive();
  const poweredDownAtEnd = provider()?.poweredDown === true;
  for (const f of judgeSystemPower(slot.ctx, before, event, { query, cancel, set, deviceDown, resume, deviceUp, poweredDownAtEnd })) m.verifier.check(f.ruleId, f.ok, () => f.message);
  slot.model = nextState(before, event, granted);
  const key = transitionKey(before.pnp, event, slot.model.pnp);
  transitions.set(key, (transitions.get(key) ?? 0) + 1);
}
