/**
 * KE-IRQL-06: NetDMA may call a provider's channel handlers at DISPATCH_LEVEL, so a handler that
 * blocks, calls a PASSIVE_LEVEL-only routine or allocates paged memory is wrong even on a call that
 * happened to come at PASSIVE_LEVEL. The kernel services judge it whatever IRQL the call came at,
 * and only inside channel handlers (not in the affinity handler, which NetDMA calls at PASSIVE_LEVEL).
 */
import { describe, expect, it } from 'vitest';
import {
  NotificationEvent,
  PagedPool,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DriverImageLoader,
  type KEVENT,
  type KernelServices,
} from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { LifecycleInput } from '../../properties/lifecycle/commands';
import { runLifecycle } from '../../properties/lifecycle/run-lifecycle';

/** What the wrapped handler does before the reference's own code. */
type Extra = (k: KernelServices) => void;

/** The reference, with `extra` run first in ProviderAllocateDmaChannel (or in ProviderSetDmaChannelCpuAffinity). */
function wrapHandler(where: 'AllocateDmaChannel' | 'SetDmaChannelCpuAffinity', extra: Extra): DriverImageLoader {
  return (k) =>
    createReferenceDriver({
      ...k,
      NetDmaRegisterProvider: (context, out, chars) => {
        const allocate = chars.AllocateDmaChannel!;
        const affinity = chars.SetDmaChannelCpuAffinity!;
        const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (c, p, h, o) => {
          if (where === 'AllocateDmaChannel') extra(k);
          return allocate(c, p, h, o);
        };
        const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (c, a, n) => {
          if (where === 'SetDmaChannelCpuAffinity') extra(k);
          return affinity(c, a, n);
        };
        return k.NetDmaRegisterProvider(context, out, { ...chars, AllocateDmaChannel, SetDmaChannelCpuAffinity });
      },
    });
}

/** AddDevice and START, with NetDMA allocating a channel inside NetDmaProviderStart at `irql` (0 PASSIVE, 1 DISPATCH). */
function run(loader: DriverImageLoader, irql: 0 | 1) {
  const input: LifecycleInput = { commands: [{ kind: 'AddDevice', fault: 'none' }, { kind: 'Irp', device: 0, event: { type: 'START', bus: 'succeed' } }], choices: [1, irql], entryPoolFault: 0 };
  return runLifecycle(loader, input, { interfaceVersion: '2.0' });
}

const pagedPool: Extra = (k) => {
  k.ExAllocatePoolWithTag(PagedPool, 16, 0x7473_6554);
};
const blockingWait: Extra = (k) => {
  const ev: KEVENT = {};
  k.KeInitializeEvent(ev, NotificationEvent, true); // signaled: the wait would return at once, but it is a wait
  k.KeWaitForSingleObject(ev, 0, 0, false, null);
};
const passiveOnly: Extra = (k) => {
  k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion'));
};

describe('KE-IRQL-06: channel handlers never block, call PASSIVE_LEVEL-only routines or touch paged memory', () => {
  it.each([
    ['allocates paged pool', pagedPool, /ExAllocatePoolWithTag\(PagedPool\) called from ProviderAllocateDmaChannel\(channel#1\) \(at PASSIVE_LEVEL\): paged memory/],
    ['waits on an event', blockingWait, /KeWaitForSingleObject called from ProviderAllocateDmaChannel\(channel#1\) \(at PASSIVE_LEVEL\): it blocks/],
    ['calls a PASSIVE_LEVEL-only routine', passiveOnly, /NdisGetRoutineAddress called from ProviderAllocateDmaChannel\(channel#1\) \(at PASSIVE_LEVEL\): it is allowed only up to PASSIVE_LEVEL/],
  ] as const)('a handler that %s is caught on a call at PASSIVE_LEVEL', (_what, extra, message) => {
    const r = run(wrapHandler('AllocateDmaChannel', extra), 0);
    expect(r.harnessError).toBeNull();
    expect(r.violation?.ruleId).toBe('KE-IRQL-06');
    expect(r.violation?.message).toMatch(message);
  });

  it.each([
    ['allocates paged pool', pagedPool],
    ['waits on an event', blockingWait],
    ['calls a PASSIVE_LEVEL-only routine', passiveOnly],
  ] as const)('a handler that %s is reported as KE-IRQL-06 on a call at DISPATCH_LEVEL too (not only as an IRQL violation)', (_what, extra) => {
    const r = run(wrapHandler('AllocateDmaChannel', extra), 1);
    expect(r.violation?.ruleId).toBe('KE-IRQL-06');
    expect(r.violation?.message).toMatch(/\(at DISPATCH_LEVEL\)/);
  });

  it('does not apply to ProviderSetDmaChannelCpuAffinity, which NetDMA calls at PASSIVE_LEVEL during registration', () => {
    const r = run(wrapHandler('SetDmaChannelCpuAffinity', passiveOnly), 0);
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.harnessError).toBeNull();
    expect(r.exercised.get('KE-IRQL-06') ?? 0).toBeGreaterThan(0);
  });

  it('leaves the reference alone and counts its handlers as checked', () => {
    const r = run(createReferenceDriver, 1);
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.exercised.get('KE-IRQL-06') ?? 0).toBeGreaterThan(0);
  });
});
