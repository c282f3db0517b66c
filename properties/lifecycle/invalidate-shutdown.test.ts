import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IRP_MJ_SHUTDOWN,
  PNP_DEVICE_FAILED,
  PNP_DEVICE_NOT_DISABLEABLE,
  PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED,
  STATUS_SUCCESS,
  type DriverImageLoader,
} from '../../src/candidate-api';
import reference from '../../src/reference';
import { createRestartShutdown, type RestartShutdownOptions } from '../../candidates/correct/restart-shutdown';
import { lifecycleInputArb, type LifecycleInput } from './commands';
import { runLifecycle, type RunResult } from './run-lifecycle';
import { SEED } from '../seed';

/** The restart-shutdown project provider with the given variation. */
const provider = (o: RestartShutdownOptions = {}): DriverImageLoader => (k) => createRestartShutdown(k, undefined, o);

/** DriverEntry, AddDevice, the 'start' scenario (FILTER_RESOURCE_REQUIREMENTS, START), and optional system power transitions. */
const started = (systemPower: LifecycleInput['systemPower'] = []): LifecycleInput => ({
  commands: [{ kind: 'AddDevice', fault: 'none' }, { kind: 'Scenario', device: 0, scenario: 'start' }],
  choices: [],
  entryPoolFault: 0,
  systemPower,
});

const traceText = (r: RunResult) => r.trace.map((e) => e.text);
const ok = (r: RunResult) => {
  expect(r.harnessError).toBeNull();
  expect(r.violation, r.violation ? `${r.violation.ruleId}: ${r.violation.message}\n${r.steps.join('\n')}` : '').toBeNull();
};

describe('IoInvalidateDeviceState: the PnP manager queries the state later and acts on the answer', () => {
  it('RESOURCE_REQUIREMENTS_CHANGED: FILTER_RESOURCE_REQUIREMENTS, then START to the started device on new resources (old ones released)', () => {
    const r = runLifecycle(provider(), started(), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps.slice(0, 7)).toEqual([
      'DriverEntry',
      'AddDevice',
      'PDO#1: IRP_MN_FILTER_RESOURCE_REQUIREMENTS',
      'PDO#1: IRP_MN_START_DEVICE',
      'PDO#1: IRP_MN_QUERY_PNP_DEVICE_STATE',
      'PDO#1: IRP_MN_FILTER_RESOURCE_REQUIREMENTS',
      'PDO#1: IRP_MN_START_DEVICE',
    ]);
    expect(r.exercised.get('PNP-START-13')).toBe(1);
    expect(r.transitions.get('Started|START|Started')).toBe(1);
    // The query comes from the PnP manager's thread, after the driver's START returned, never inside IoInvalidateDeviceState.
    const t = traceText(r);
    const invalidate = t.findIndex((x) => x.startsWith('IoInvalidateDeviceState'));
    const query = t.findIndex((x) => x.includes('sends IRP_MN_QUERY_PNP_DEVICE_STATE'));
    expect(invalidate).toBeGreaterThan(0);
    expect(query).toBeGreaterThan(t.findIndex((x, i) => i > invalidate && x.includes('returned STATUS_SUCCESS')));
  });

  it('the reference, which never invalidates its state, never gets a START while started (property)', () => {
    fc.assert(
      fc.property(lifecycleInputArb, (input) => {
        const r = runLifecycle(reference, input, { interfaceVersion: '2.0', recordTrace: false });
        return r.violation === null && r.harnessError === null && !r.transitions.has('Started|START|Started') && !r.exercised.has('PNP-START-13');
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('PNP_DEVICE_FAILED alone: the failed device is surprise-removed, then removed', () => {
    const r = runLifecycle(provider({ bits: PNP_DEVICE_FAILED }), started(), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps.slice(4, 7)).toEqual(['PDO#1: IRP_MN_QUERY_PNP_DEVICE_STATE', 'PDO#1: IRP_MN_SURPRISE_REMOVAL', 'PDO#1: IRP_MN_REMOVE_DEVICE']);
  });

  it('PNP_DEVICE_FAILED with RESOURCE_REQUIREMENTS_CHANGED: the device is stopped first (QUERY_STOP, STOP, FILTER, START)', () => {
    const r = runLifecycle(provider({ bits: PNP_DEVICE_FAILED | PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED }), started(), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps.slice(4, 9)).toEqual([
      'PDO#1: IRP_MN_QUERY_PNP_DEVICE_STATE',
      'PDO#1: IRP_MN_QUERY_STOP_DEVICE',
      'PDO#1: IRP_MN_STOP_DEVICE',
      'PDO#1: IRP_MN_FILTER_RESOURCE_REQUIREMENTS',
      'PDO#1: IRP_MN_START_DEVICE',
    ]);
    expect(r.exercised.has('PNP-START-13')).toBe(false);
  });

  it('PNP_DEVICE_NOT_DISABLEABLE is only recorded: nothing more is sent', () => {
    const r = runLifecycle(provider({ bits: PNP_DEVICE_NOT_DISABLEABLE }), started(), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps[4]).toBe('PDO#1: IRP_MN_QUERY_PNP_DEVICE_STATE');
    expect(r.steps[5]).toBe('PDO#1: IRP_MN_QUERY_REMOVE_DEVICE'); // the teardown
  });
});

describe('IRP_MJ_SHUTDOWN to the device objects registered with IoRegisterShutdownNotification', () => {
  const s5 = [{ at: 2, device: 0, event: { type: 'SYSTEM_POWER', to: 'S5', bus: 'succeed' } as const }];

  it('is sent at PASSIVE_LEVEL before the S5 power IRPs, and completed by the provider', () => {
    const r = runLifecycle(provider(), started(s5), { interfaceVersion: '2.0' });
    ok(r);
    const t = r.trace;
    const shutdown = t.findIndex((e) => e.text.startsWith('DispatchRoutine[IRP_MJ_SHUTDOWN]'));
    const s5Irp = t.findIndex((e) => e.text.includes('IRP_MN_SET_POWER(S5)'));
    expect(shutdown).toBeGreaterThan(0);
    expect(t[shutdown]!.irql ?? 0).toBe(0);
    expect(s5Irp).toBeGreaterThan(shutdown);
    expect(r.steps).toContain('IRP_MJ_SHUTDOWN to the registered device objects');
  });

  it('a shutdown routine that neither completes nor passes the IRP down breaks IRP-01', () => {
    const hung: DriverImageLoader = (k) => {
      const entry = createRestartShutdown(k);
      return (d, p) => {
        const st = entry(d, p);
        d.MajorFunction[IRP_MJ_SHUTDOWN] = () => STATUS_SUCCESS;
        return st;
      };
    };
    const r = runLifecycle(hung, started(s5), { interfaceVersion: '2.0' });
    expect(r.violation?.ruleId).toBe('IRP-01');
  });

  it('a device deleted while still registered is unregistered by IoDeleteDevice, as in Windows (no violation, no IRP to it)', () => {
    const r = runLifecycle(provider({ unregisterAtRemove: false }), started(), { interfaceVersion: '2.0' });
    ok(r);
    expect(traceText(r).some((x) => x.startsWith('IoUnregisterShutdownNotification'))).toBe(false);
  });

  it('is not sent when no device object is registered (the reference)', () => {
    const r = runLifecycle(reference, started(s5), { interfaceVersion: '2.0' });
    ok(r);
    expect(r.steps).not.toContain('IRP_MJ_SHUTDOWN to the registered device objects');
  });
});
