import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDED, EVENT_TYPES, allTransitions, isLegal, legalEvents, nextRemovalEvent, nextState, transitionKey, type DeviceModel, type LifecycleEvent } from '../../src/model/lifecycle';
import { SEED } from '../seed';

const eventArb: fc.Arbitrary<LifecycleEvent> = fc.oneof(
  fc.record({ type: fc.constant('START' as const), bus: fc.constantFrom('succeed' as const, 'fail' as const, 'pend' as const) }),
  fc.record({ type: fc.constant('QUERY_STOP' as const), bus: fc.constantFrom('succeed' as const, 'fail' as const) }),
  fc.record({ type: fc.constant('QUERY_REMOVE' as const), bus: fc.constantFrom('succeed' as const, 'fail' as const) }),
  fc.record({ type: fc.constant('SET_POWER' as const), to: fc.constantFrom('D0' as const, 'D3' as const) }),
  fc.record({ type: fc.constant('SYSTEM_POWER' as const), to: fc.constantFrom('S1' as const, 'S3' as const, 'S4' as const, 'S5' as const), bus: fc.constantFrom('succeed' as const, 'fail' as const, 'pend' as const) }),
  fc.constantFrom<LifecycleEvent>({ type: 'STOP' }, { type: 'CANCEL_STOP' }, { type: 'CANCEL_REMOVE' }, { type: 'REMOVE' }, { type: 'SURPRISE_REMOVAL' }, { type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'QUERY_CAPABILITIES' }),
);

/** Walks the model with random events and outcomes, keeping only legal ones. */
function walk(steps: readonly [LifecycleEvent, boolean][]): { states: DeviceModel[]; keys: string[] } {
  let d = ADDED;
  const states = [d];
  const keys: string[] = [];
  for (const [e, ok] of steps) {
    if (!isLegal(d, e)) continue;
    // Only START and the queries can end in failure; for the rest a failure is a violation, not a transition.
    const next = nextState(d, e, ok || !['START', 'QUERY_STOP', 'QUERY_REMOVE'].includes(e.type));
    keys.push(transitionKey(d.pnp, e, next.pnp));
    d = next;
    states.push(d);
  }
  return { states, keys };
}

describe('the PnP model itself', () => {
  const walks = fc.array(fc.tuple(eventArb, fc.boolean()), { maxLength: 40 });
  it('only a started (or stop/remove-pending) device has a started provider', () => {
    fc.assert(fc.property(walks, (steps) => walk(steps).states.every((d) => !d.providerStarted || ['Started', 'StopPending', 'RemovePending'].includes(d.pnp))), { seed: SEED, numRuns: 500 });
  });
  it('Removed is final and every other state has a way out', () => {
    fc.assert(fc.property(walks, (steps) => walk(steps).states.every((d) => (d.pnp === 'Removed' ? legalEvents(d).length === 0 : legalEvents(d).length > 0))), { seed: SEED, numRuns: 500 });
  });
  it('every transition taken is one of the graph the coverage counts', () => {
    const known = new Set(allTransitions().map((t) => `${t.from}|${t.event}|${t.to}`));
    fc.assert(fc.property(walks, (steps) => walk(steps).keys.every((k) => known.has(k))), { seed: SEED, numRuns: 500 });
  });
  it('a removed provider is never registered, and removal is reachable from every state', () => {
    fc.assert(
      fc.property(walks, (steps) => {
        const { states } = walk(steps);
        const last = states[states.length - 1]!;
        if (last.pnp === 'Removed') return !last.providerRegistered;
        // From any state, some sequence of legal events removes the device.
        let d = last;
        for (let i = 0; i < 6 && d.pnp !== 'Removed'; i++) {
          const e = nextRemovalEvent(d);
          if (!e) return false;
          d = nextState(d, e, true);
        }
        return d.pnp === 'Removed';
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
  it('removal is reachable from every state even when the driver refuses every QUERY_REMOVE, without a QUERY_REMOVE after the refusal', () => {
    fc.assert(
      fc.property(walks, (steps) => {
        let d = walk(steps).states.at(-1)!;
        let refused = false;
        for (let i = 0; i < 6 && d.pnp !== 'Removed'; i++) {
          const e = nextRemovalEvent(d, refused);
          if (!e || (refused && e.type === 'QUERY_REMOVE')) return false;
          // The driver refuses the query: the PnP manager cancels it and the device stays where it was.
          if (e.type === 'QUERY_REMOVE') refused = true;
          else d = nextState(d, e, true);
        }
        return d.pnp === 'Removed';
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
  it('a started device whose driver refused QUERY_REMOVE leaves by SURPRISE_REMOVAL, then REMOVE', () => {
    const started = nextState(ADDED, { type: 'START', bus: 'succeed' }, true);
    expect(nextRemovalEvent(started)).toEqual({ type: 'QUERY_REMOVE', bus: 'succeed' });
    expect(nextRemovalEvent(started, true)).toEqual({ type: 'SURPRISE_REMOVAL' });
    expect(nextRemovalEvent(nextState(started, { type: 'SURPRISE_REMOVAL' }, true), true)).toEqual({ type: 'REMOVE' });
  });
  it('a provider deregistered during SURPRISE_REMOVAL is no longer registered at REMOVE (decision A13)', () => {
    const started = nextState(ADDED, { type: 'START', bus: 'succeed' }, true);
    expect(nextState(started, { type: 'SURPRISE_REMOVAL' }, true, true).providerRegistered).toBe(false);
    expect(nextState(started, { type: 'SURPRISE_REMOVAL' }, true, false).providerRegistered).toBe(true);
  });
  it('knows every event kind', () => {
    expect(new Set(EVENT_TYPES).size).toBe(16);
  });
});
