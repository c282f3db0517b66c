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
  NT_SUCCESS,
  ntStatusName,
} from '../../src/kernel/api';
import type { Machine, SimDevice } from '../../src/kernel';
import { eventLabel, judge, nextState, succeeded, transitionKey, type DeviceModel, type LifecycleEvent, type ModelContext } from '../../src/model/lifecycle';

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

const MINOR: Readonly<Record<Exclude<LifecycleEvent['type'], 'SET_POWER'>, number>> = {
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
