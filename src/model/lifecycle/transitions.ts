import { assertNever } from '../../util/assert-never';
import { powerDepth, specialFileIndex, type LifecycleEvent, type LifecycleEventType } from './events';
import type { DeviceModel, PnpState } from './pnp-state';

/**
 * Which IRPs the PnP and power managers may send in each state (F100, F105–F115, the HLK
 * scenarios). Generators draw only these; anything else would test the PnP manager, not the driver.
 */
export function legalEvents(d: DeviceModel): readonly LifecycleEventType[] {
  return d.power === 'D0' ? LEGAL[d.pnp] : d.power === 'D3' ? IN_D3 : IN_IDLE;
}

/** In D3 (a started device powered down): power, surprise removal, and the PnP queries, which Windows sends whatever the power state. */
const IN_D3: readonly LifecycleEventType[] = ['SET_POWER', 'SURPRISE_REMOVAL', 'QUERY_CAPABILITIES', 'PNP_QUERY', 'SYSTEM_CONTROL'];
/**
 * In D1 or D2 (a started device idled by its power-policy owner): as in D3, and a system sleep,
 * which takes the idle device on to the D-state of DEVICE_CAPABILITIES.DeviceState for it.
 */
const IN_IDLE: readonly LifecycleEventType[] = [...IN_D3, 'SYSTEM_POWER'];
/**
 * Legal IRPs per state. A Record over PnpState: a new state does not compile until it is listed.
 * Queries (PNP_QUERY: device relations before a QUERY_REMOVE, TargetDeviceRelation after START, IDs,
 * texts, resources) and WMI come in any state between AddDevice and removal; DEVICE_USAGE_NOTIFICATION
 * to a started device; creates to a started device and to a remove-pending one (which must fail
 * them, PNP-SURF-05); SURPRISE_REMOVAL in any state after AddDevice (F114), stop- and
 * remove-pending included.
 */
const LEGAL: Readonly<Record<PnpState, readonly LifecycleEventType[]>> = {
  Added: ['START', 'FILTER_RESOURCE_REQUIREMENTS', 'QUERY_REMOVE', 'REMOVE', 'SURPRISE_REMOVAL', 'QUERY_CAPABILITIES', 'PNP_QUERY', 'SYSTEM_CONTROL'],
  Started: ['QUERY_STOP', 'QUERY_REMOVE', 'SURPRISE_REMOVAL', 'FILTER_RESOURCE_REQUIREMENTS', 'SET_POWER', 'CANCEL_STOP', 'CANCEL_REMOVE', 'QUERY_CAPABILITIES', 'PNP_QUERY', 'DEVICE_USAGE_NOTIFICATION', 'OPEN_HANDLE', 'SYSTEM_CONTROL', 'SYSTEM_POWER'],
  StopPending: ['STOP', 'CANCEL_STOP', 'FILTER_RESOURCE_REQUIREMENTS', 'SURPRISE_REMOVAL', 'PNP_QUERY', 'SYSTEM_CONTROL'],
  Stopped: ['START', 'FILTER_RESOURCE_REQUIREMENTS', 'SURPRISE_REMOVAL', 'PNP_QUERY', 'SYSTEM_CONTROL'],
  RemovePending: ['REMOVE', 'CANCEL_REMOVE', 'SURPRISE_REMOVAL', 'PNP_QUERY', 'OPEN_HANDLE', 'SYSTEM_CONTROL'],
  SurpriseRemoved: ['REMOVE'],
  StartFailed: ['REMOVE', 'SURPRISE_REMOVAL'],
  Removed: [],
};

/**
 * True when `e` may be sent to a device in state `d`. SET_POWER: from D0 to a low-power state, from
 * a low-power state to D0 or to a deeper one (D1 to D2 or D3, D2 to D3: PCI power management has no
 * way from D3 to D1 or D2, nor from D2 to D1); never to the state the device is in.
 */
export function isLegal(d: DeviceModel, e: LifecycleEvent): boolean {
  if (!legalEvents(d).includes(e.type)) return false;
  if (e.type === 'SET_POWER') return e.to === 'D0' ? d.power !== 'D0' : powerDepth(e.to) > powerDepth(d.power);
  // The system takes a special file off a path only after putting it there.
  if (e.type === 'DEVICE_USAGE_NOTIFICATION' && !e.inPath) return d.specialFiles[specialFileIndex(e.usage)] > 0;
  return true;
}

const NO_SPECIAL_FILES: readonly [number, number, number] = [0, 0, 0];

/**
 * The state after `e`, given whether the IRP succeeded as a whole (`ok`: its final status was a
 * success; for queries, whether the query was granted), and whether the provider called
 * NetDmaDeregisterProvider while handling it (`deregistered`: allowed during SURPRISE_REMOVAL,
 * decision A13, after which REMOVE must not deregister again).
 */
export function nextState(d: DeviceModel, e: LifecycleEvent, ok: boolean, deregistered = false): DeviceModel {
  switch (e.type) {
    case 'START':
      return ok ? { ...d, pnp: 'Started', providerStarted: true } : { ...d, pnp: 'StartFailed', providerStarted: false };
    case 'QUERY_STOP':
      return ok ? { ...d, pnp: 'StopPending' } : d;
    case 'STOP':
      return { ...d, pnp: 'Stopped', providerStarted: false };
    case 'CANCEL_STOP':
      return { ...d, pnp: d.pnp === 'StopPending' ? 'Started' : d.pnp };
    case 'QUERY_REMOVE':
      return ok ? { ...d, pnp: 'RemovePending', beforeRemovePending: d.pnp } : d;
    case 'CANCEL_REMOVE':
      return d.pnp === 'RemovePending' ? { ...d, pnp: d.beforeRemovePending ?? 'Started', beforeRemovePending: null } : d;
    case 'REMOVE':
      return { ...d, pnp: 'Removed', providerStarted: false, providerRegistered: false, specialFiles: NO_SPECIAL_FILES };
    case 'SURPRISE_REMOVAL':
      return { ...d, pnp: 'SurpriseRemoved', providerStarted: false, providerRegistered: d.providerRegistered && !deregistered, power: 'D0', specialFiles: NO_SPECIAL_FILES };
    case 'FILTER_RESOURCE_REQUIREMENTS':
    case 'QUERY_CAPABILITIES':
    case 'PNP_QUERY':
    case 'OPEN_HANDLE':
    case 'SYSTEM_CONTROL':
      return d;
    case 'DEVICE_USAGE_NOTIFICATION': {
      if (!ok) return d;
      const i = specialFileIndex(e.usage);
      const files: [number, number, number] = [d.specialFiles[0], d.specialFiles[1], d.specialFiles[2]];
      files[i] = Math.max(0, files[i] + (e.inPath ? 1 : -1));
      return { ...d, specialFiles: files };
    }
    case 'SET_POWER':
      return { ...d, power: e.to, poweredDownNotified: e.to !== 'D0' };
    case 'SYSTEM_POWER':
      // Sleep and hibernate come back to S0 and D0 within the step; shutdown leaves the device in D3 (the run ends).
      // A refused query leaves an idle (D1/D2) device as it was.
      if (e.to === 'S5' && ok) return { ...d, power: 'D3', poweredDownNotified: false };
      return ok || d.power === 'D0' ? { ...d, power: 'D0', poweredDownNotified: false } : d;
    default:
      return assertNever(e);
  }
}

/**
 * The next IRP on the shortest legal way to remove the device (what the PnP manager does when the
 * device is disabled or unplugged), or null once it is removed. `queryRemoveRefused`: the driver
 * has failed a QUERY_REMOVE of this teardown (allowed, and required in the paging path, F111); the
 * PnP manager then cancels the removal and the device stays, and Windows never unloads a driver
 * while one of its devices exists (F45, F118), so the only way left out is a surprise removal —
 * the device is unplugged — then REMOVE.
 */
export function nextRemovalEvent(d: DeviceModel, queryRemoveRefused = false): LifecycleEvent | null {
  if (d.pnp === 'Removed') return null;
  const order: readonly LifecycleEvent[] = [{ type: 'REMOVE' }, { type: 'SET_POWER', to: 'D0' }, { type: 'CANCEL_STOP' }, { type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'SURPRISE_REMOVAL' }];
  return order.find((e) => isLegal(d, e) && (e.type !== 'CANCEL_STOP' || d.pnp === 'StopPending') && (e.type !== 'QUERY_REMOVE' || !queryRemoveRefused)) ?? null;
}

/** A (state, event, next state) edge of the PnP graph, for transition coverage (Coyote's metric). */
export interface Transition {
  readonly from: PnpState;
  readonly event: string;
  readonly to: PnpState;
}

function eventName(e: LifecycleEvent): string {
  return e.type === 'SET_POWER' ? `SET_POWER(${e.to})` : e.type;
}

/**
 * True when `e` ends the run: the system shut down (S5). Windows then neither removes the devices
 * nor unloads the driver.
 */
export function endsRun(e: LifecycleEvent): boolean {
  return e.type === 'SYSTEM_POWER' && e.to === 'S5';
}

/** Every edge the PnP manager can take: each legal event in each state, with each outcome. */
export function allTransitions(): readonly Transition[] {
  const out = new Map<string, Transition>();
  const states: PnpState[] = ['Added', 'Started', 'StopPending', 'Stopped', 'RemovePending', 'SurpriseRemoved', 'StartFailed'];
  const samples: Record<LifecycleEventType, LifecycleEvent[]> = {
    START: [{ type: 'START', bus: 'succeed' }],
    QUERY_STOP: [{ type: 'QUERY_STOP', bus: 'succeed' }],
    STOP: [{ type: 'STOP' }],
    CANCEL_STOP: [{ type: 'CANCEL_STOP' }],
    QUERY_REMOVE: [{ type: 'QUERY_REMOVE', bus: 'succeed' }],
    CANCEL_REMOVE: [{ type: 'CANCEL_REMOVE' }],
    REMOVE: [{ type: 'REMOVE' }],
    SURPRISE_REMOVAL: [{ type: 'SURPRISE_REMOVAL' }],
    FILTER_RESOURCE_REQUIREMENTS: [{ type: 'FILTER_RESOURCE_REQUIREMENTS' }],
    SET_POWER: [{ type: 'SET_POWER', to: 'D3' }, { type: 'SET_POWER', to: 'D0' }],
    QUERY_CAPABILITIES: [{ type: 'QUERY_CAPABILITIES' }],
    PNP_QUERY: [{ type: 'PNP_QUERY', query: 'RemovalRelations' }],
    DEVICE_USAGE_NOTIFICATION: [{ type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true }],
    OPEN_HANDLE: [{ type: 'OPEN_HANDLE', ioctl: false }],
    SYSTEM_CONTROL: [{ type: 'SYSTEM_CONTROL' }],
    SYSTEM_POWER: [{ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }],
  };
  for (const from of states) {
    for (const [power, before] of [['D0', 'Started'], ['D3', null], ['D0', 'Added']] as const) {
      if ((power === 'D3' && from !== 'Started') || (before === 'Added' && from !== 'RemovePending')) continue;
      const d: DeviceModel = { pnp: from, power, beforeRemovePending: from === 'RemovePending' ? before : null, providerStarted: false, providerRegistered: true, poweredDownNotified: false, specialFiles: NO_SPECIAL_FILES };
      for (const t of legalEvents(d)) {
        for (const e of samples[t]) {
          if (!isLegal(d, e)) continue;
          for (const ok of [true, false]) {
            // Only START and the queries can fail; the rest never do (or a failure is a violation).
            if (!ok && t !== 'START' && t !== 'QUERY_STOP' && t !== 'QUERY_REMOVE') continue;
            const to = nextState(d, e, ok).pnp;
            out.set(`${from}|${eventName(e)}|${to}`, { from, event: eventName(e), to });
          }
        }
      }
    }
  }
  return [...out.values()];
}

/** Keys made so far, by `from`, event name and `to`: a run takes the same few edges over and over. */
const KEYS = new Map<PnpState, Map<string, Map<PnpState, string>>>();

/** The coverage key of an event taken in a state and the state it led to (the same string each time). */
export function transitionKey(from: PnpState, e: LifecycleEvent, to: PnpState): string {
  // Constant event names where eventName would form a string.
  const name = e.type !== 'SET_POWER' ? e.type : e.to === 'D0' ? 'SET_POWER(D0)' : e.to === 'D3' ? 'SET_POWER(D3)' : e.to === 'D2' ? 'SET_POWER(D2)' : 'SET_POWER(D1)';
  let byName = KEYS.get(from);
  if (byName === undefined) KEYS.set(from, (byName = new Map()));
  let byTo = byName.get(name);
  if (byTo === undefined) byName.set(name, (byTo = new Map()));
  let key = byTo.get(to);
  if (key === undefined) byTo.set(to, (key = `${from}|${name}|${to}`));
  return key;
}
