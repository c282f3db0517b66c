/**
 * Driver Verifier's low-resources simulation (src/kernel/verifier/low-resources.ts): which call it
 * fails, that a run with a drawn fault is deterministic, that a counterexample shrinks to the one
 * failing call and names it, and that each check of a mishandled failure fires.
 */
import { describe, expect, it } from 'vitest';
import { LowResources, type LowResourceFault, type LowResourceSituation } from '../../src/kernel';
import reference from '../../src/reference';
import { createReferenceDriver } from '../../src/reference/driver';
import { NO_MUTATIONS } from '../../src/reference/mutations';
import { CHANCMD, type DriverImageLoader } from '../../src/candidate-api';
import { faulty } from '../../candidates/faulty/faulty';
import { runLifecycle } from './run-lifecycle';
import { checkLifecycle } from './property';
import type { LifecycleCommand, LifecycleInput } from './commands';

const situation = (channel: boolean, irp: string | null, routine = 'DispatchRoutine'): LowResourceSituation => ({ inChannelHandler: () => channel, irpInFlight: irp, routine });

describe('LowResources', () => {
  it('fails exactly the n-th call of the service made in the drawn situation, once, and only once armed', () => {
    const lr = new LowResources();
    lr.plan({ service: 'pool', where: 'channel', nth: 2 });
    const inHandler = situation(true, null, 'ProviderAllocateDmaChannel(channel#1)');
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', inHandler)).toBe(false); // not armed: DriverEntry
    lr.arm();
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', situation(false, 'IRP_MN_START_DEVICE'))).toBe(false); // not in a handler: not counted
    expect(lr.fails('map-io-space', 'MmMapIoSpace', inHandler)).toBe(false); // another service: not counted
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', inHandler)).toBe(false); // 1st
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', inHandler)).toBe(true); // 2nd
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', inHandler)).toBe(false); // one failure per run
    expect(lr.injected).toEqual(['ExAllocatePoolWithTag failed (low resources) in ProviderAllocateDmaChannel(channel#1)']);
  });

  it('tells START, power IRPs and anywhere apart', () => {
    const lr = new LowResources();
    lr.plan({ service: 'map-io-space', where: 'start', nth: 1 });
    lr.arm();
    expect(lr.fails('map-io-space', 'MmMapIoSpace', situation(false, 'IRP_MN_SET_POWER(D0)'))).toBe(false);
    expect(lr.fails('map-io-space', 'MmMapIoSpace', situation(false, 'IRP_MN_START_DEVICE'))).toBe(true);
    lr.plan({ service: 'pool', where: 'power', nth: 1 });
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', situation(false, 'IRP_MN_START_DEVICE'))).toBe(false);
    expect(lr.fails('pool', 'ExAllocatePoolWithTag', situation(false, 'IRP_MN_SET_POWER(D3)'))).toBe(true);
    lr.plan({ service: 'irp', where: 'any', nth: 1 });
    expect(lr.fails('irp', 'IoAllocateIrp', situation(false, null, 'work item'))).toBe(true);
  });
});

const add: LifecycleCommand = { kind: 'AddDevice', fault: 'none' };
const start: LifecycleCommand = { kind: 'Irp', device: 0, event: { type: 'START', bus: 'succeed' } };
const input = (lowResources: LowResourceFault, commands: readonly LifecycleCommand[] = [add]): LifecycleInput => ({ commands, choices: [], entryPoolFault: 0, lowResources });

describe('low resources in a lifecycle run', () => {
  it('is deterministic and names the failed call in the step that hit it', () => {
    const i = input({ service: 'pool', where: 'channel', nth: 1 });
    const a = runLifecycle(reference, i, { interfaceVersion: '2.0' });
    const b = runLifecycle(reference, i, { interfaceVersion: '2.0' });
    expect(a.violation).toBeNull();
    expect(a.steps).toEqual(b.steps);
    expect(a.trace.map((e) => e.text)).toEqual(b.trace.map((e) => e.text));
    expect(a.steps[0]).toContain('low resources: pool allocation #1 in a channel handler fails');
    expect(a.steps.filter((s) => s.includes('[ExAllocatePoolWithTag failed (low resources) in ProviderAllocateDmaChannel'))).toHaveLength(1);
  });

  it('removes a device whose first START failed with REMOVE, without SURPRISE_REMOVAL', () => {
    const r = runLifecycle(reference, input({ service: 'map-io-space', where: 'start', nth: 1 }), { interfaceVersion: '2.0' });
    expect(r.violation).toBeNull();
    const i = r.steps.findIndex((s) => s.includes('IRP_MN_START_DEVICE') && s.includes('MmMapIoSpace failed (low resources)'));
    expect(i).toBeGreaterThan(0);
    expect(r.steps[i + 1]).toContain('IRP_MN_REMOVE_DEVICE');
    expect(r.steps.some((s) => s.includes('SURPRISE_REMOVAL'))).toBe(false);
  });

  it('the reference fails START on a channel whose RESET never self-clears, and releases everything', () => {
    const r = runLifecycle(reference, input({ service: 'reset-hang', where: 'start', nth: 1 }), { interfaceVersion: '2.0' });
    expect(r.violation).toBeNull();
    expect(r.steps.some((s) => s.includes('RESET of channel 0 failed (low resources)'))).toBe(true);
    expect(r.trace.some((e) => e.text.includes('NetDmaProviderStart'))).toBe(false);
  });

  it('shrinks a counterexample to the one failing call (or to the other way the same error path is reached)', () => {
    const r = checkLifecycle(faulty('lowres-alloc-leaks-ring'), { interfaceVersion: '2.0', seed: 20261123, numRuns: 300, failFast: true });
    expect(r.failure?.violation?.ruleId).toBe('DRV-UNLOAD-01');
    const f = r.failure!.counterexample.lowResources;
    const injected = r.failure!.steps.filter((s) => s.includes('failed (low resources)'));
    if (f !== null && f !== undefined) {
      expect(f).toMatchObject({ service: 'pool', nth: 1 });
      expect(injected).toHaveLength(1);
    } else {
      // Since machines are drawn, an engine with fewer channels than NetDMA asks for reaches the same
      // error path (ProviderAllocateDmaChannel failing) without any injected failure.
      expect(injected).toHaveLength(0);
      const shape = r.failure!.counterexample.machine;
      expect(shape?.channelCount).toBeDefined();
      const allocations = r.failure!.steps.filter((s) => s.includes('NetDMA allocates a channel')).length;
      expect(allocations).toBeGreaterThan(shape!.channelCount);
    }
  });
});

describe('the checks of a mishandled failure', () => {
  const cases: readonly [string, Parameters<typeof faulty>[0], LowResourceFault, readonly LifecycleCommand[]][] = [
    ['a START reported successful without hardware is PNP-START-03', 'lowres-start-ignores-hardware', { service: 'connect-interrupt', where: 'start', nth: 1 }, [add]],
    ['a failed START that keeps its registers mapped is LOWRES-START-01', 'lowres-start-fail-keeps-mapping', { service: 'reset-hang', where: 'start', nth: 2 }, [add]],
    ['a bus interface reference kept past REMOVE is LOWRES-REM-01', 'lowres-start-keeps-bus-interface', { service: 'reset-hang', where: 'start', nth: 1 }, [add]],
    ['a ring leaked by a failing channel handler is DRV-UNLOAD-01', 'lowres-alloc-leaks-ring', { service: 'pool', where: 'channel', nth: 1 }, [add]],
  ];
  const expected: Record<string, string> = {
    'lowres-start-ignores-hardware': 'PNP-START-03',
    'lowres-start-fail-keeps-mapping': 'LOWRES-START-01',
    'lowres-start-keeps-bus-interface': 'LOWRES-REM-01',
    'lowres-alloc-leaks-ring': 'DRV-UNLOAD-01',
  };
  it.each(cases)('%s', (_title, mutation, fault, commands) => {
    const r = runLifecycle(faulty(mutation), input(fault, commands), { interfaceVersion: '2.0' });
    expect(r.violation?.ruleId, r.steps.join('\n')).toBe(expected[mutation]);
  });

  it('NetDmaProviderStart with a channel still in RESET is PNP-START-04 (a START that ignores the RESET timeout)', () => {
    // The reference whose RESET polling reads CHANCMD without its RESET bit: it never sees the timeout.
    const blind: DriverImageLoader = (k) =>
      createReferenceDriver({ ...k, READ_REGISTER_UCHAR: (r) => k.READ_REGISTER_UCHAR(r) & ((r & 0x7fn) === 4n && (r & 0xfffn) >= 0x80n ? ~CHANCMD.RESET : 0xff) }, NO_MUTATIONS);
    const r = runLifecycle(blind, input({ service: 'reset-hang', where: 'start', nth: 1 }), { interfaceVersion: '2.0' });
    expect(r.violation?.ruleId, r.steps.join('\n')).toBe('PNP-START-04');
    expect(r.violation?.message).toContain('still in RESET');
    // Without the hang it is the reference.
    expect(runLifecycle(blind, input({ service: 'pool', where: 'power', nth: 1 }, [add, start]), { interfaceVersion: '2.0' }).violation).toBeNull();
  });
});
