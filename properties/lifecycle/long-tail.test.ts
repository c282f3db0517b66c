/**
 * The long tail of the lifecycle generator (issue 13): its bounds, that the default seed reaches
 * long runs while most stay short, the device power sequences only long runs send (D1/D2 from the
 * reported capabilities, a deeper low-power IRP without D0 between), and a long counterexample
 * that shrinks to its minimum and replays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import reference from '../../src/reference';
import { faulty } from '../../candidates/faulty/faulty';
import { CORRECT_PROVIDERS } from '../../candidates/correct/catalog';
import { isLegal, ADDED, type DeviceModel, type LifecycleEvent } from '../../src/model/lifecycle';
import { LONG_RUN_MAX_COMMANDS, NO_LONG_TAIL, lifecycleInputArb, type LifecycleCommand, type LifecycleInput } from './commands';
import { runLifecycle, type RunResult } from './run-lifecycle';
import { checkLifecycle } from './property';
import { SEED } from '../seed';
import { SHRINK_SLACK } from '../power/measure';

/** IRPs (and system power transitions) a run sent, as scripts/lifecycle-lengths.ts counts them. */
const irpSteps = (r: RunResult): number => r.steps.filter((s) => /: (IRP_|system power)/.test(s)).length;

const ok = (r: RunResult): void => {
  expect(r.harnessError).toBeNull();
  expect(r.violation, r.violation ? `${r.violation.ruleId}: ${r.violation.message}\n${r.steps.join('\n')}` : '').toBeNull();
};

/** A started device, then the given commands as its long tail, on engines with or without D1/D2. */
const withTail = (commands: readonly LifecycleCommand[], deviceD1D2: boolean): LifecycleInput => ({
  commands: [{ kind: 'AddDevice', fault: 'none' }, { kind: 'Irp', device: 0, event: { type: 'START', bus: 'succeed' } }],
  choices: [],
  entryPoolFault: 0,
  longTail: { commands, deviceD1D2 },
});
const irp = (event: LifecycleEvent): LifecycleCommand => ({ kind: 'Irp', device: 0, event });
/** The power-policy owner idles the device to D2 (having learnt its D-states), then the system sleeps: D2, then D3 for S3. */
const IDLE_THEN_SLEEP: readonly LifecycleCommand[] = [irp({ type: 'QUERY_CAPABILITIES' }), irp({ type: 'SET_POWER', to: 'D2' }), irp({ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })];
/** Idled to D1, then deeper to D3 in S0, then back to D0. */
const IDLE_DEEPER: readonly LifecycleCommand[] = [irp({ type: 'QUERY_CAPABILITIES' }), irp({ type: 'SET_POWER', to: 'D1' }), irp({ type: 'SET_POWER', to: 'D3' }), irp({ type: 'SET_POWER', to: 'D0' })];
/** S1, which DEVICE_CAPABILITIES.DeviceState may map to D2. */
const IDLE_THEN_S1: readonly LifecycleCommand[] = [irp({ type: 'QUERY_CAPABILITIES' }), irp({ type: 'SYSTEM_POWER', to: 'S1', bus: 'succeed' })];

describe('the long tail of generated lifecycles', () => {
  it('stays within its bounds (property)', () => {
    fc.assert(
      fc.property(lifecycleInputArb, (input) => {
        const tail = input.longTail ?? NO_LONG_TAIL;
        expect(input.commands.length).toBeLessThanOrEqual(31);
        expect(tail.commands.length).toBeLessThanOrEqual(LONG_RUN_MAX_COMMANDS + 1);
        // No long tail: engines without D1 and D2, as every run had before long tails existed.
        if (tail === NO_LONG_TAIL) expect(tail.deviceD1D2).toBe(false);
        // The long tail never shuts the system down (S5 ends a run): its chain goes on to the teardown.
        for (const c of tail.commands) if (c.kind === 'Irp' && c.event.type === 'SYSTEM_POWER') expect(c.event.to).not.toBe('S5');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it(`under the default seed ${SEED}, most runs stay short and a tail of 20-60 IRPs is reached`, () => {
    const lengths = fc.sample(lifecycleInputArb, { seed: SEED, numRuns: 1000 }).map((input) => irpSteps(runLifecycle(reference, input, { interfaceVersion: '2.0', recordTrace: false })));
    lengths.sort((a, b) => a - b);
    expect(lengths[500]!, 'the median run').toBeLessThanOrEqual(3);
    const long = lengths.filter((n) => n >= 20).length;
    expect(long, 'runs of 20 IRPs or more').toBeGreaterThanOrEqual(10);
    expect(long, 'runs of 20 IRPs or more').toBeLessThanOrEqual(100);
    expect(lengths[lengths.length - 1]!, 'the longest run').toBeGreaterThanOrEqual(40);
    expect(lengths[lengths.length - 1]!, 'the longest run').toBeLessThanOrEqual(120);
  });

  it('under the default seed, long runs send a deeper low-power IRP without D0 between', () => {
    let deeper = 0;
    for (const input of fc.sample(lifecycleInputArb, { seed: SEED, numRuns: 1000 })) {
      if ((input.longTail?.commands.length ?? 0) === 0) continue;
      const r = runLifecycle(reference, input, { interfaceVersion: '2.0' });
      ok(r);
      // The D-IRPs as the I/O manager delivered them, in order: D1/D2 followed by D3 with no D0 between.
      const dirps = r.trace.map((e) => /sends IRP_MN_SET_POWER\((D[0-3])\)/.exec(e.text)?.[1]).filter((x): x is string => x !== undefined);
      for (let i = 1; i < dirps.length; i++) if ((dirps[i - 1] === 'D1' || dirps[i - 1] === 'D2') && dirps[i] === 'D3') deeper++;
    }
    expect(deeper).toBeGreaterThan(0);
  });
});

describe('D1 and D2: only what the stack reported, only deeper without D0', () => {
  it('the model: from D2 to D3 (deeper) or D0, never back up to D1 nor again to D2; from D3 only to D0', () => {
    const started: DeviceModel = { ...ADDED, pnp: 'Started', providerStarted: true };
    const at = (power: DeviceModel['power']): DeviceModel => ({ ...started, power });
    expect(isLegal(at('D0'), { type: 'SET_POWER', to: 'D2' })).toBe(true);
    expect(isLegal(at('D2'), { type: 'SET_POWER', to: 'D3' })).toBe(true);
    expect(isLegal(at('D2'), { type: 'SET_POWER', to: 'D0' })).toBe(true);
    expect(isLegal(at('D2'), { type: 'SET_POWER', to: 'D1' })).toBe(false);
    expect(isLegal(at('D2'), { type: 'SET_POWER', to: 'D2' })).toBe(false);
    expect(isLegal(at('D3'), { type: 'SET_POWER', to: 'D2' })).toBe(false);
    expect(isLegal(at('D3'), { type: 'SET_POWER', to: 'D3' })).toBe(false);
    // An idle device can be taken into a system sleep; a device in D3 is not sent one (unchanged).
    expect(isLegal(at('D2'), { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })).toBe(true);
    expect(isLegal(at('D3'), { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })).toBe(false);
  });

  it('idle then sleep: D2, then the system sleep takes the device on to D3, then back to D0 (reference)', () => {
    const r = runLifecycle(reference, withTail(IDLE_THEN_SLEEP, true), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps.slice(2)).toEqual(['PDO#1: IRP_MN_START_DEVICE', 'PDO#1: IRP_MN_QUERY_CAPABILITIES', 'PDO#1: IRP_MN_SET_POWER(D2)', 'PDO#1: system power S3 (sleep) and back to S0', 'PDO#1: IRP_MN_QUERY_REMOVE_DEVICE', 'PDO#1: IRP_MN_REMOVE_DEVICE', 'Unload']);
    const text = r.trace.map((e) => e.text).join('\n');
    expect(text).toMatch(/sends IRP_MN_SET_POWER\(D2\)[\s\S]*sends IRP_MN_SET_POWER\(S3\)[\s\S]*sends IRP_MN_SET_POWER\(D3\)[\s\S]*sends IRP_MN_SET_POWER\(D0\)/);
  });

  it('an engine without D1/D2: the power-policy owner sends no D2', () => {
    const r = runLifecycle(reference, withTail(IDLE_THEN_SLEEP, false), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps.some((s) => s.includes('SET_POWER(D2)'))).toBe(false);
  });

  it('a driver that clears DeviceD1/DeviceD2 in QUERY_CAPABILITIES is sent no D1 or D2 (caps-editor), and S1 takes it to D3', () => {
    const entry = CORRECT_PROVIDERS.find((c) => c.name === 'caps-editor');
    if (!entry) expect.fail('caps-editor is not in the correct catalog');
    const r = runLifecycle(entry.loader, withTail([...IDLE_THEN_SLEEP, ...IDLE_DEEPER, ...IDLE_THEN_S1], true), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps.some((s) => /SET_POWER\(D[12]\)/.test(s))).toBe(false);
    expect(r.trace.some((e) => /IRP_MN_SET_POWER\(D[12]\)/.test(e.text))).toBe(false);
  });

  it('S1 maps to D2 for an engine that reports it (DEVICE_CAPABILITIES.DeviceState[PowerSystemSleeping1])', () => {
    const r = runLifecycle(reference, withTail(IDLE_THEN_S1, true), { interfaceVersion: '2.0' });
    ok(r);
    const text = r.trace.map((e) => e.text).join('\n');
    expect(text).toMatch(/IRP_MN_SET_POWER\(D2\)/);
    expect(text).not.toMatch(/IRP_MN_SET_POWER\(D3\)/);
  });
});

describe('a bug that shows only after a long chain (rebalance-start-count-drift)', () => {
  it(`is found in a long run, shrinks to its shortest sequence (9 steps, + at most ${SHRINK_SLACK}) and replays from its path`, () => {
    const loader = faulty('rebalance-start-count-drift');
    const r = checkLifecycle(loader, { interfaceVersion: '2.0', seed: SEED, numRuns: 300, failFast: true });
    const f = r.failure;
    if (!f) expect.fail('rebalance-start-count-drift survived 300 lifecycles');
    expect(f.violation?.ruleId).toBe('PNP-START-03');
    // The generated case that first showed it was long; the shrunk one is the minimum.
    const first = checkLifecycle(loader, { interfaceVersion: '2.0', seed: f.seed, numRuns: 1, path: String(f.numRunsToFailure - 1) }).failure;
    if (!first) expect.fail('the generated case at the failure index did not fail');
    expect(first.steps.filter((s) => s.includes(': IRP_')).length).toBeGreaterThanOrEqual(9);
    expect((first.counterexample.longTail?.commands.length ?? 0) + first.counterexample.commands.length).toBeGreaterThan(f.counterexample.commands.length + (f.counterexample.longTail?.commands.length ?? 0));
    // The shortest: DriverEntry, AddDevice, START, QUERY_STOP, STOP, START, QUERY_STOP, STOP, START (a
    // START the bus pends is as short; a scenario from the run's own commands, which does not shrink
    // into single IRPs, may leave a FILTER_RESOURCE_REQUIREMENTS before a START).
    expect(f.steps.length).toBeLessThanOrEqual(9 + SHRINK_SLACK);
    expect(f.steps.filter((s) => !s.includes('FILTER_RESOURCE_REQUIREMENTS')).map((s) => s.replace(' (bus pends)', ''))).toEqual([
      'DriverEntry',
      'AddDevice',
      'PDO#1: IRP_MN_START_DEVICE',
      'PDO#1: IRP_MN_QUERY_STOP_DEVICE',
      'PDO#1: IRP_MN_STOP_DEVICE',
      'PDO#1: IRP_MN_START_DEVICE',
      'PDO#1: IRP_MN_QUERY_STOP_DEVICE',
      'PDO#1: IRP_MN_STOP_DEVICE',
      'PDO#1: IRP_MN_START_DEVICE',
    ]);
    const replay = checkLifecycle(loader, { interfaceVersion: '2.0', seed: f.seed, numRuns: 1, path: f.path });
    expect(replay.failure?.violation?.ruleId).toBe('PNP-START-03');
    expect(replay.failure?.steps).toEqual(f.steps);
  });

  it('a long input replays alike (deterministic), and the reference passes it', () => {
    const long = fc
      .sample(lifecycleInputArb, { seed: SEED, numRuns: 1000 })
      .find((i) => (i.longTail?.commands.length ?? 0) > 0 && irpSteps(runLifecycle(reference, i, { interfaceVersion: '2.0', recordTrace: false })) >= 20);
    if (!long) expect.fail('no run of 20 IRPs under the default seed');
    const a = runLifecycle(reference, long, { interfaceVersion: '2.0' });
    const b = runLifecycle(reference, long, { interfaceVersion: '2.0' });
    ok(a);
    expect(irpSteps(a)).toBeGreaterThanOrEqual(20);
    expect(b.steps).toEqual(a.steps);
    expect(b.trace.map((e) => e.text)).toEqual(a.trace.map((e) => e.text));
  });
});
