/**
 * NDMA-REG-09 and decisions A4/A8: ProviderSetDmaChannelCpuAffinity may fail with one of the statuses
 * its page documents (STATUS_RESOURCES, read as STATUS_INSUFFICIENT_RESOURCES, and
 * STATUS_UNSUCCESSFUL); NetDMA then fails NetDmaRegisterProvider with STATUS_UNSUCCESSFUL, and the
 * provider undoes AddDevice. Any other status is a violation of NDMA-REG-09.
 */
import { describe, expect, it } from 'vitest';
import {
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type DriverImageLoader,
  type KernelServices,
} from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import dpAffinity64 from '../../candidates/correct/dp-affinity-64';
import type { LifecycleInput } from '../../properties/lifecycle/commands';
import { runLifecycle } from '../../properties/lifecycle/run-lifecycle';

/**
 * `base` with what NetDmaRegisterProvider returned kept in `registered`, and its affinity handler's
 * answer passed through `answer` (given the status the provider's own handler returned).
 */
function affinityAnswers(base: DriverImageLoader, registered: number[], answer: (own: number) => number): DriverImageLoader {
  return (k) => {
    const wrapped: KernelServices = {
      ...k,
      NetDmaRegisterProvider: (context, out, chars) => {
        const own = chars.SetDmaChannelCpuAffinity;
        const st = k.NetDmaRegisterProvider(context, out, { ...chars, SetDmaChannelCpuAffinity: (c, a, n) => answer(own!(c, a, n)) });
        registered.push(st);
        return st;
      },
    };
    return base(wrapped);
  };
}

/**
 * AddDevice with its first pool allocation made to fail: in dp-affinity-64 that is the copy its
 * affinity handler keeps, so the handler answers STATUS_INSUFFICIENT_RESOURCES and AddDevice fails
 * (expected, since something was made to fail); then the start scenario on what is left.
 */
const ADD_WITH_POOL_FAULT: LifecycleInput = { commands: [{ kind: 'AddDevice', fault: 'pool' }, { kind: 'Scenario', device: 0, scenario: 'start' }], choices: [], entryPoolFault: 0 };
const ADD: LifecycleInput = { commands: [{ kind: 'AddDevice', fault: 'none' }], choices: [], entryPoolFault: 0 };

describe('ProviderSetDmaChannelCpuAffinity failing during NetDmaRegisterProvider (A8)', () => {
  for (const [name, status] of [['STATUS_INSUFFICIENT_RESOURCES', STATUS_INSUFFICIENT_RESOURCES], ['STATUS_UNSUCCESSFUL', STATUS_UNSUCCESSFUL]] as const) {
    it(`a documented failure (${name}) fails the registration with STATUS_UNSUCCESSFUL and is no violation`, () => {
      const registered: number[] = [];
      const seen: number[] = [];
      const r = runLifecycle(affinityAnswers(dpAffinity64, registered, (own) => (seen.push(own), own === STATUS_SUCCESS ? own : status)), ADD_WITH_POOL_FAULT, { interfaceVersion: '2.0' });
      expect(r.harnessError).toBeNull();
      expect(r.violation).toBeNull();
      expect(seen).toEqual([STATUS_INSUFFICIENT_RESOURCES]);
      expect(registered).toEqual([STATUS_UNSUCCESSFUL]);
    });
  }

  it('an undocumented status (STATUS_NOT_SUPPORTED) breaks NDMA-REG-09', () => {
    const r = runLifecycle(affinityAnswers(createReferenceDriver, [], () => STATUS_NOT_SUPPORTED), ADD, { interfaceVersion: '2.0' });
    expect(r.violation?.ruleId).toBe('NDMA-REG-09');
    expect(r.violation?.message).toMatch(/returned STATUS_NOT_SUPPORTED; documented: STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES \(STATUS_RESOURCES\), STATUS_UNSUCCESSFUL/);
  });

  it('a handler that succeeds registers the provider', () => {
    const registered: number[] = [];
    const r = runLifecycle(affinityAnswers(createReferenceDriver, registered, (own) => own), ADD, { interfaceVersion: '2.0' });
    expect(r.violation).toBeNull();
    expect(registered).toEqual([STATUS_SUCCESS]);
  });
});
