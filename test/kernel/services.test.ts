/**
 * The general kernel services (remove locks, Interlocked*, the simulated clock and timers,
 * ExAllocatePool2, device interfaces, WMI registration), each on a bare machine, against a model
 * where one is natural; and the project provider that uses them all, through a lifecycle.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISPATCH_LEVEL,
  IRP_MN_QUERY_CAPABILITIES,
  NonPagedPoolNx,
  NotificationEvent,
  NotificationTimer,
  POOL_FLAG_NON_PAGED,
  POOL_FLAG_PAGED,
  POOL_FLAG_UNINITIALIZED,
  STATUS_DELETE_PENDING,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_EXISTS,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  WMIREG_ACTION_DEREGISTER,
  WMIREG_ACTION_REGISTER,
  type IO_REMOVE_LOCK,
  type KDPC,
  type KEVENT,
  type KTIMER,
  type KernelServices,
  type OUT,
  type UNICODE_STRING,
} from '../../src/candidate-api';
import { Machine } from '../../src/kernel/machine/machine';
import { createKernelServices, type ServiceFaults } from '../../src/kernel/machine/services';
import { BOOT_SYSTEM_TIME } from '../../src/kernel/ke/clock';
import { BugCheck } from '../../src/kernel/verifier/verifier';
import type { LifecycleInput } from '../../properties/lifecycle/commands';
import { runLifecycle } from '../../properties/lifecycle/run-lifecycle';
import wdmServices from '../../candidates/correct/wdm-services';
import { GUID_DEVINTERFACE_NETDMA_SERVICES } from '../../candidates/correct/wdm-services/driver';

const GUID = GUID_DEVINTERFACE_NETDMA_SERVICES;

function machine(failPoolAttempts: number[] = []): { m: Machine; k: KernelServices; faults: ServiceFaults } {
  const m = new Machine({ interfaceVersion: '2.0' });
  const faults: ServiceFaults = { failPoolAttempts: new Set(failPoolAttempts), failNextCreateDevice: false };
  return { m, k: createKernelServices(m, faults), faults };
}

/** Runs `fn`; returns the rule id of the bug check it raised, or null. */
function ruleOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof BugCheck) return e.violation.ruleId;
    throw e;
  }
}

// ---- remove locks ------------------------------------------------------------------------------

type LockOp = { readonly op: 'acquire' | 'release' | 'releaseAndWait'; readonly tag: number };

const lockOps = fc.array(
  fc.record({ op: fc.constantFrom<LockOp['op']>('acquire', 'acquire', 'release', 'release', 'releaseAndWait'), tag: fc.integer({ min: 0, max: 2 }) }),
  { maxLength: 24 },
);

/** What the WDK says each call does to a remove lock, and the Driver Verifier checks it breaks. */
function modelLock(ops: readonly LockOp[]): { results: (number | null)[]; violation: string | null } {
  const held = new Map<number, number>();
  let removed = false;
  const results: (number | null)[] = [];
  const total = () => [...held.values()].reduce((a, b) => a + b, 0);
  for (const { op, tag } of ops) {
    const n = held.get(tag) ?? 0;
    if (op === 'acquire') {
      results.push(removed ? STATUS_DELETE_PENDING : STATUS_SUCCESS);
      if (!removed) held.set(tag, n + 1);
    } else if (op === 'release') {
      if (n === 0) return { results, violation: 'KSVC-01' };
      held.set(tag, n - 1);
      results.push(null);
    } else {
      if (removed || n === 0) return { results, violation: 'KSVC-01' };
      held.set(tag, n - 1);
      removed = true;
      // Nothing else runs on a bare machine: other acquisitions are never released, the wait hangs.
      if (total() > 0) return { results, violation: 'KSVC-02' };
      results.push(null);
    }
  }
  return { results, violation: null };
}

describe('remove locks', () => {
  it('follow the WDK semantics and Driver Verifier\'s checks for any sequence of acquire, release and release-and-wait', () => {
    fc.assert(
      fc.property(lockOps, (ops) => {
        const { m, k } = machine();
        const lock: IO_REMOVE_LOCK = {};
        k.IoInitializeRemoveLock(lock, 0x6b636f4c, 0, 0);
        const tags = [{ Name: 'IRP#1' }, { Name: 'IRP#2' }, { Name: 'IRP#3' }];
        const results: (number | null)[] = [];
        const rule = ruleOf(() => {
          for (const { op, tag } of ops) {
            if (op === 'acquire') results.push(k.IoAcquireRemoveLock(lock, tags[tag]));
            else if (op === 'release') {
              k.IoReleaseRemoveLock(lock, tags[tag]);
              results.push(null);
            } else {
              k.IoReleaseRemoveLockAndWait(lock, tags[tag]);
              results.push(null);
            }
          }
        });
        const want = modelLock(ops);
        expect(results).toEqual(want.results);
        expect(rule).toBe(want.violation);
        expect(m.verifier.firstViolation?.ruleId ?? null).toBe(want.violation);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it('IoReleaseRemoveLockAndWait returns once a DPC releases the last other acquisition', () => {
    const { m, k } = machine();
    const lock: IO_REMOVE_LOCK = {};
    k.IoInitializeRemoveLock(lock, 1, 0, 0);
    const dpc: KDPC = {};
    k.KeInitializeDpc(dpc, () => k.IoReleaseRemoveLock(lock, 'dpc'), null);
    expect(k.IoAcquireRemoveLock(lock, 'dpc')).toBe(STATUS_SUCCESS);
    expect(k.IoAcquireRemoveLock(lock, 'remove')).toBe(STATUS_SUCCESS);
    k.KeInsertQueueDpc(dpc, null, null);
    k.IoReleaseRemoveLockAndWait(lock, 'remove');
    expect(m.verifier.firstViolation).toBeUndefined();
    expect(k.IoAcquireRemoveLock(lock, 'late')).toBe(STATUS_DELETE_PENDING);
  });

  it('refuses an uninitialised lock, acquisitions above DISPATCH_LEVEL and a wait above PASSIVE_LEVEL', () => {
    expect(ruleOf(() => machine().k.IoAcquireRemoveLock({}, 1))).toBe('KSVC-01');
    const a = machine();
    const lock: IO_REMOVE_LOCK = {};
    a.k.IoInitializeRemoveLock(lock, 1, 0, 0);
    a.k.KeRaiseIrql(DISPATCH_LEVEL + 1);
    expect(ruleOf(() => a.k.IoAcquireRemoveLock(lock, 1))).toBe('KE-IRQL-02');
    const b = machine();
    b.k.IoInitializeRemoveLock(lock, 1, 0, 0);
    b.k.IoAcquireRemoveLock(lock, 1);
    b.k.KeRaiseIrql(DISPATCH_LEVEL);
    expect(ruleOf(() => b.k.IoReleaseRemoveLockAndWait(lock, 1))).toBe('KE-IRQL-01');
  });

  it('holds acquisitions against HighWatermark', () => {
    const { k } = machine();
    const lock: IO_REMOVE_LOCK = {};
    k.IoInitializeRemoveLock(lock, 1, 0, 2);
    k.IoAcquireRemoveLock(lock, 1);
    k.IoAcquireRemoveLock(lock, 2);
    expect(ruleOf(() => k.IoAcquireRemoveLock(lock, 3))).toBe('KSVC-01');
  });
});

// ---- Interlocked ---------------------------------------------------------------------------------

describe('Interlocked operations', () => {
  const long = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
  it('compute as a 32-bit two\'s-complement processor does, returning what the WDK says', () => {
    const { k } = machine();
    const wrap = (x: bigint) => Number(BigInt.asIntN(32, x));
    fc.assert(
      fc.property(long, long, long, (x, y, z) => {
        const b = { value: x };
        expect(k.InterlockedIncrement(b)).toBe(wrap(BigInt(x) + 1n));
        b.value = x;
        expect(k.InterlockedDecrement(b)).toBe(wrap(BigInt(x) - 1n));
        b.value = x;
        expect(k.InterlockedExchangeAdd(b, y)).toBe(x);
        expect(b.value).toBe(wrap(BigInt(x) + BigInt(y)));
        b.value = x;
        expect(k.InterlockedCompareExchange(b, y, z)).toBe(x);
        expect(b.value).toBe(x === z ? y : x);
        b.value = x;
        expect(k.InterlockedExchange(b, y)).toBe(x);
        expect(b.value).toBe(y);
        b.value = x;
        expect(k.InterlockedAnd(b, y)).toBe(x);
        expect(b.value).toBe(x & y);
        b.value = x;
        expect(k.InterlockedOr(b, y)).toBe(x);
        expect(b.value).toBe(x | y);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it('wrap at 64 bits in the 64-bit variants', () => {
    const { k } = machine();
    const b = { value: (1n << 63n) - 1n };
    expect(k.InterlockedIncrement64(b)).toBe(-(1n << 63n));
    expect(k.InterlockedDecrement64(b)).toBe((1n << 63n) - 1n);
    expect(k.InterlockedExchangeAdd64(b, 2n)).toBe((1n << 63n) - 1n);
    expect(b.value).toBe(-(1n << 63n) + 1n);
    expect(k.InterlockedCompareExchange64(b, 5n, 0n)).toBe(-(1n << 63n) + 1n);
    expect(k.InterlockedExchange64(b, 7n)).toBe(-(1n << 63n) + 1n);
    expect(b.value).toBe(7n);
  });

  it('are allowed at any IRQL but refuse what is not a LONG box', () => {
    const { k } = machine();
    k.KeRaiseIrql(15);
    expect(k.InterlockedIncrement({ value: 1 })).toBe(2);
    expect(ruleOf(() => k.InterlockedIncrement({ value: 1.5 }))).toBe('KAPI-01');
  });
});

// ---- clock, waits and timers ---------------------------------------------------------------------

describe('the simulated clock', () => {
  it('moves only when the simulation lets time pass: stalls, waits that time out', () => {
    const { m, k } = machine();
    expect(k.KeQueryInterruptTime()).toBe(0n);
    k.KeStallExecutionProcessor(5);
    expect(k.KeQueryInterruptTime()).toBe(50n);
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    expect(k.KeWaitForSingleObject(ev, 0, 0, false, 0n)).toBe(STATUS_TIMEOUT);
    expect(k.KeQueryInterruptTime()).toBe(50n);
    expect(k.KeWaitForSingleObject(ev, 0, 0, false, -10_000n)).toBe(STATUS_TIMEOUT);
    expect(k.KeQueryInterruptTime()).toBe(10_050n);
    // An absolute timeout is a system time.
    expect(k.KeWaitForSingleObject(ev, 0, 0, false, BOOT_SYSTEM_TIME + 20_000n)).toBe(STATUS_TIMEOUT);
    expect(m.clock.now).toBe(20_000n);
    const t: OUT<bigint> = {};
    k.KeQuerySystemTime(t);
    expect(t.value).toBe(BOOT_SYSTEM_TIME + 20_000n);
    // Without a timeout, an event nothing sets is a hang.
    expect(ruleOf(() => k.KeWaitForSingleObject(ev, 0, 0, false, null))).toBe('KAPI-05');
  });

  it('a wait ends when a timer\'s DPC sets the event, at the timer\'s due time', () => {
    const { m, k } = machine();
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    const timer: KTIMER = {};
    const dpc: KDPC = {};
    k.KeInitializeTimer(timer);
    k.KeInitializeDpc(dpc, () => {
      k.KeSetEvent(ev, 0, false);
    }, null);
    expect(k.KeSetTimer(timer, -30_000n, dpc)).toBe(false);
    expect(k.KeWaitForSingleObject(ev, 0, 0, false, null)).toBe(STATUS_SUCCESS);
    expect(m.clock.now).toBe(30_000n);
    expect(k.KeReadStateTimer(timer)).toBe(true);
  });
});

describe('kernel timers', () => {
  const plan = fc.array(fc.record({ due: fc.integer({ min: 1, max: 50 }), cancel: fc.boolean() }), { minLength: 1, maxLength: 8 });
  it('expire in due-time order (ties in the order they were set), each at its due time, cancelled ones never', () => {
    fc.assert(
      fc.property(plan, fc.integer({ min: 0, max: 60 }), (timers, until) => {
        const { m, k } = machine();
        const fired: { i: number; at: bigint }[] = [];
        const objs = timers.map((t, i) => {
          const timer: KTIMER = {};
          const dpc: KDPC = {};
          k.KeInitializeTimerEx(timer, NotificationTimer);
          k.KeInitializeDpc(dpc, (_d, _c, lo, hi) => {
            fired.push({ i, at: BigInt(lo as number) | (BigInt(hi as number) << 32n) });
          }, null);
          k.KeSetTimer(timer, -BigInt(t.due * 1000), dpc);
          return timer;
        });
        timers.forEach((t, i) => {
          if (t.cancel) expect(k.KeCancelTimer(objs[i]!)).toBe(true);
        });
        m.letTimePass(BigInt(until * 1000));
        const want = timers
          .map((t, i) => ({ ...t, i }))
          .filter((t) => !t.cancel && t.due <= until)
          .sort((a, b) => a.due - b.due || a.i - b.i)
          .map((t) => ({ i: t.i, at: BigInt(t.due * 1000) }));
        expect(fired).toEqual(want);
        expect(m.clock.now).toBe(BigInt(until * 1000));
        timers.forEach((t, i) => expect(k.KeReadStateTimer(objs[i]!)).toBe(!t.cancel && t.due <= until));
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });

  it('a periodic timer re-arms; KeSetTimer on a set timer returns TRUE; an uninitialised timer is refused', () => {
    const { m, k } = machine();
    const timer: KTIMER = {};
    const dpc: KDPC = {};
    let runs = 0;
    k.KeInitializeTimer(timer);
    k.KeInitializeDpc(dpc, () => {
      runs++;
    }, null);
    expect(k.KeSetTimerEx(timer, -10_000n, 1, dpc)).toBe(false);
    for (let i = 0; i < 5; i++) m.letTimePass(10_000n);
    expect(runs).toBe(5);
    expect(k.KeSetTimer(timer, -10_000n, null)).toBe(true);
    expect(k.KeCancelTimer(timer)).toBe(true);
    expect(k.KeCancelTimer(timer)).toBe(false);
    k.KeRaiseIrql(DISPATCH_LEVEL + 1);
    expect(ruleOf(() => k.KeSetTimer(timer, -1n, null))).toBe('KE-IRQL-02');
    expect(ruleOf(() => machine().k.KeSetTimer({}, -1n, null))).toBe('KSVC-03');
  });
});

// ---- ExAllocatePool2 -----------------------------------------------------------------------------

describe('ExAllocatePool2', () => {
  it('zeroes unless POOL_FLAG_UNINITIALIZED, frees with ExFreePoolWithTag or ExFreePool, and is leak-accounted', () => {
    const { m, k } = machine();
    const a = k.ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 16, 0x41414141)!;
    expect([...a].every((x) => x !== 0)).toBe(true);
    const b = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0x42424242)!;
    expect([...b].every((x) => x === 0)).toBe(true);
    expect(m.pool.liveCount).toBe(2);
    k.ExFreePoolWithTag(a, 0x41414141);
    k.ExFreePool(b);
    expect(m.pool.liveCount).toBe(0);
    expect(ruleOf(() => k.ExFreePool(b))).toBe('KAPI-02');
  });

  it('fails invalid POOL_FLAGS (a POOL_TYPE value, no pool type, two pool types) with NULL, and refuses a zero tag', () => {
    for (const flags of [BigInt(NonPagedPoolNx), 0n, POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED]) {
      const { m, k } = machine();
      expect(k.ExAllocatePool2(flags, 16, 1)).toBeNull();
      expect(m.verifier.firstViolation).toBeUndefined();
    }
    expect(ruleOf(() => machine().k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0))).toBe('KSVC-04');
  });

  it('fails under low-resource injection and refuses paged pool at DISPATCH_LEVEL', () => {
    expect(machine([1]).k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 1)).toBeNull();
    const { k } = machine();
    k.KeRaiseIrql(DISPATCH_LEVEL);
    expect(k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 1)).not.toBeNull();
    expect(ruleOf(() => k.ExAllocatePool2(POOL_FLAG_PAGED, 16, 1))).toBe('KE-IRQL-02');
  });
});

// ---- device interfaces and WMI -------------------------------------------------------------------

describe('device interfaces', () => {
  it('registers for a PDO, toggles state, and frees the symbolic link as pool', () => {
    const { m, k } = machine();
    const dev = m.plugDevice();
    const link: OUT<UNICODE_STRING> = {};
    expect(k.IoRegisterDeviceInterface(dev.pdo, GUID, null, link)).toBe(STATUS_SUCCESS);
    expect(link.value!.Buffer).toContain(GUID.toLowerCase());
    expect(m.pool.liveCount).toBe(1);
    expect(k.IoSetDeviceInterfaceState(link.value!, true)).toBe(STATUS_SUCCESS);
    expect(m.deviceInterfaces.isEnabled(link.value!.Buffer)).toBe(true);
    expect(k.IoSetDeviceInterfaceState(k.RtlInitUnicodeString('\\??\\nothing'), true)).toBe(STATUS_OBJECT_NAME_NOT_FOUND);
    const s = link.value!;
    k.RtlFreeUnicodeString(s);
    expect(m.pool.liveCount).toBe(0);
    expect(ruleOf(() => k.RtlFreeUnicodeString(s))).toBe('KAPI-02');
  });

  it('fails a device object that is not a PDO with STATUS_INVALID_DEVICE_REQUEST, as Windows does', () => {
    const { m, k } = machine();
    const dev = m.plugDevice();
    const fdo = { ...dev.pdo, Name: 'FDO#9' };
    m.objects.add({ obj: fdo, driver: null, kind: 'driver', device: dev, deleted: false, lower: dev.pdo, upper: null, stackSize: 2 });
    const link: OUT<UNICODE_STRING> = {};
    expect(k.IoRegisterDeviceInterface(fdo, GUID, null, link)).toBe(STATUS_INVALID_DEVICE_REQUEST);
    expect(link.value?.Length).toBe(0);
    expect(m.pool.liveCount).toBe(0);
  });

  it('refuses a symbolic link name already freed (KSVC-05)', () => {
    const { m, k } = machine();
    const link: OUT<UNICODE_STRING> = {};
    k.IoRegisterDeviceInterface(m.plugDevice().pdo, GUID, null, link);
    k.RtlFreeUnicodeString(link.value!);
    expect(ruleOf(() => k.IoSetDeviceInterfaceState(link.value!, false))).toBe('KSVC-05');
  });

  it('refuses what is not a GUID and a string the system did not allocate', () => {
    const a = machine();
    expect(ruleOf(() => a.k.IoRegisterDeviceInterface(a.m.plugDevice().pdo, 'not-a-guid', null, {}))).toBe('KAPI-01');
    const b = machine();
    expect(ruleOf(() => b.k.RtlFreeUnicodeString(b.k.RtlInitUnicodeString('x')))).toBe('KAPI-02');
  });
});

describe('WMI registration', () => {
  it('registers, answers a second registration and a deregistration of an unregistered device with a status (no bug check)', () => {
    const { m, k } = machine();
    const pdo = m.plugDevice().pdo;
    expect(k.IoWMIRegistrationControl(pdo, WMIREG_ACTION_DEREGISTER)).toBe(STATUS_INVALID_PARAMETER);
    expect(k.IoWMIRegistrationControl(pdo, WMIREG_ACTION_REGISTER)).toBe(STATUS_SUCCESS);
    expect(m.wmi.isRegistered(pdo)).toBe(true);
    expect(k.IoWMIRegistrationControl(pdo, WMIREG_ACTION_REGISTER)).toBe(STATUS_OBJECT_NAME_EXISTS);
    expect(k.IoWMIRegistrationControl(pdo, WMIREG_ACTION_DEREGISTER)).toBe(STATUS_SUCCESS);
    expect(m.wmi.isRegistered(pdo)).toBe(false);
  });
});

// ---- the project provider that uses them all -----------------------------------------------------

describe('wdm-services through a lifecycle', () => {
  const input: LifecycleInput = {
    commands: [
      { kind: 'AddDevice', fault: 'none' },
      { kind: 'Scenario', device: 0, scenario: 'start' },
      { kind: 'Irp', device: 0, event: { type: 'QUERY_CAPABILITIES' } },
      { kind: 'Irp', device: 0, event: { type: 'QUERY_REMOVE', bus: 'succeed' } },
      { kind: 'Irp', device: 0, event: { type: 'REMOVE' } },
    ],
    choices: [],
    entryPoolFault: 0,
  };
  it('runs its watchdog while started, enables its interface at START and tears everything down at REMOVE', () => {
    const r = runLifecycle(wdmServices, input, { interfaceVersion: '2.0' });
    expect(r.violation).toBeNull();
    expect(r.harnessError).toBeNull();
    const text = r.trace.map((e) => e.text).join('\n');
    expect(text).toMatch(/KeSetTimerEx\(TIMER#1/);
    expect(text).toMatch(/TIMER#1 expires/);
    expect(text).toMatch(/DeferredRoutine\(DPC#\d+\)/);
    expect(text).toMatch(/IoSetDeviceInterfaceState\(.*, TRUE\)/);
    expect(text).toMatch(/IoReleaseRemoveLockAndWait/);
    expect(text).toMatch(/KeCancelTimer\(TIMER#1\) = TRUE/);
    expect(text).toMatch(/IoWMIRegistrationControl\(FDO#1, WMIREG_ACTION_DEREGISTER\)/);
    expect(IRP_MN_QUERY_CAPABILITIES).toBe(0x09);
  });
});
