import { match } from 'ts-pattern';
import type { LifecycleEvent, LifecycleEventType } from './events';
import type { DeviceModel, PnpState } from './pnp-state';

/**
 * Which IRPs the PnP and power managers may send in each state (F100, F105–F115, the HLK
 * scenarios). Generators draw only these; anything else would test the PnP manager, not the driver.
 */
export function legalEvents(d: DeviceModel): readonly LifecycleEventType[] {
  if (d.power === 'D3') return ['SET_POWER', 'SURPRISE_REMOVAL'];
  return match(d.pnp)
    .with('Added', () => ['START', 'FILTER_RESOURCE_REQUIREMENTS', 'QUERY_REMOVE', 'REMOVE', 'SURPRISE_REMOVAL', 'QUERY_CAPABILITIES'] as const)
    .with('Started', () => ['QUERY_STOP', 'QUERY_REMOVE', 'SURPRISE_REMOVAL', 'FILTER_RESOURCE_REQUIREMENTS', 'SET_POWER', 'CANCEL_STOP', 'CANCEL_REMOVE', 'QUERY_CAPABILITIES'] as const)
    .with('StopPending', () => ['STOP', 'CANCEL_STOP', 'FILTER_RESOURCE_REQUIREMENTS'] as const)
    .with('Stopped', () => ['START', 'FILTER_RESOURCE_REQUIREMENTS', 'SURPRISE_REMOVAL'] as const)
    .with('RemovePending', () => ['REMOVE', 'CANCEL_REMOVE'] as const)
    .with('SurpriseRemoved', () => ['REMOVE'] as const)
    .with('StartFailed', () => ['REMOVE', 'SURPRISE_REMOVAL'] as const)
    .with('Removed', () => [] as const)
    .exhaustive();
}

/** True when `e` may be sent to a device in state `d` (SET_POWER only to the other power state). */
export function isLegal(d: DeviceModel, e: LifecycleEvent): boolean {
  if (!legalEvents(d).includes(e.type)) return false;
  if (e.type === 'SET_POWER') return e.to !== d.power;
  return true;
}

/**
 * The state after `e`, given whether the IRP succeeded as a whole (`ok`: its final status was a
 * success; for queries, whether the query was granted).
 */
export function nextState(d: DeviceModel, e: LifecycleEvent, ok: boolean): DeviceModel {
  return match(e)
    .with({ type: 'START' }, (): DeviceModel => (ok ? { ...d, pnp: 'Started', providerStarted: true } : { ...d, pnp: 'StartFailed', providerStarted: false }))
    .with({ type: 'QUERY_STOP' }, (): DeviceModel => (ok ? { ...d, pnp: 'StopPending' } : d))
    .with({ type: 'STOP' }, (): DeviceModel => ({ ...d, pnp: 'Stopped', providerStarted: false }))
    .with({ type: 'CANCEL_STOP' }, (): DeviceModel => ({ ...d, pnp: d.pnp === 'StopPending' ? 'Started' : d.pnp }))
    .with({ type: 'QUERY_REMOVE' }, (): DeviceModel => (ok ? { ...d, pnp: 'RemovePending', beforeRemovePending: d.pnp } : d))
    .with({ type: 'CANCEL_REMOVE' }, (): DeviceModel => (d.pnp === 'RemovePending' ? { ...d, pnp: d.beforeRemovePending ?? 'Started', beforeRemovePending: null } : d))
    .with({ type: 'REMOVE' }, (): DeviceModel => ({ ...d, pnp: 'Removed', providerStarted: false, providerRegistered: false }))
    .with({ type: 'SURPRISE_REMOVAL' }, (): DeviceModel => ({ ...d, pnp: 'SurpriseRemoved', providerStarted: false, power: 'D0' }))
    .with({ type: 'FILTER_RESOURCE_REQUIREMENTS' }, () => d)
    .with({ type: 'SET_POWER' }, (x): DeviceModel => ({ ...d, power: x.to, poweredDownNotified: x.to === 'D3' }))
    .with({ type: 'QUERY_CAPABILITIES' }, () => d)
    .exhaustive();
}

/**
 * The next IRP on the shortest legal way to remove the device (what the PnP manager does when the
 * device is disabled or unplugged), or null once it is removed.
 */
export function nextRemovalEvent(d: DeviceModel): LifecycleEvent | null {
  if (d.pnp === 'Removed') return null;
  const order: readonly LifecycleEvent[] = [{ type: 'REMOVE' }, { type: 'SET_POWER', to: 'D0' }, { type: 'CANCEL_STOP' }, { type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'SURPRISE_REMOVAL' }];
  return order.find((e) => isLegal(d, e) && (e.type !== 'CANCEL_STOP' || d.pnp === 'StopPending')) ?? null;
}

/** A (state, event) pair of the PnP graph, for transition coverage (Coyote's metric). */
export interface Transition {
  readonly from: PnpState;
  readonly event: string;
}

/** Every legal (state, event) pair, with SET_POWER split by target and bus answers folded. */
export function allTransitions(): readonly Transition[] {
  const out: Transition[] = [];
  const states: PnpState[] = ['Added', 'Started', 'StopPending', 'Stopped', 'RemovePending', 'SurpriseRemoved', 'StartFailed'];
  for (const from of states) {
    const d: DeviceModel = { pnp: from, power: 'D0', beforeRemovePending: null, providerStarted: false, providerRegistered: true, poweredDownNotified: false };
    for (const t of legalEvents(d)) {
      if (t === 'SET_POWER') out.push({ from, event: 'SET_POWER(D3)' });
      else out.push({ from, event: t });
    }
  }
  out.push({ from: 'Started', event: 'SET_POWER(D0)' });
  return out;
}

/** The coverage key of an event taken in a state. */
export function transitionKey(from: PnpState, e: LifecycleEvent): string {
  return `${from}|${e.type === 'SET_POWER' ? `SET_POWER(${e.to})` : e.type}`;
}
