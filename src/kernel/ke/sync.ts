import { APC_LEVEL, DISPATCH_LEVEL, SIMULATED_DIRQL, irqlName } from '../api/irql';
import { STATUS_SUCCESS, STATUS_TIMEOUT } from '../api/ntstatus';
import { SynchronizationEvent, type KDEFERRED_ROUTINE, type KSYNCHRONIZE_ROUTINE } from '../api/wdm';
import { callProvider } from './invoke';
import type { KernelContext } from './context';
import { workItem } from './scheduler';

/**
 * How long (100 ns units: 10 s) a wait without a timeout lets time pass for timers before it is
 * judged to hang: timers that keep expiring without ever ending the wait do not make it progress.
 */
export const BLOCK_HORIZON_TICKS = 100_000_000n;

/** What the synchronisation services use of the machine: the kernel context, interrupt objects, the DPC hook. */
export interface SyncHost extends KernelContext {
  /** The HAL's connected interrupt objects (KeSynchronizeExecution, the interrupt spin lock). */
  readonly hal: { interrupt(obj: unknown, api: string): { readonly lock: object } };
  /** Called when a DPC starts running. */
  dpcRan(name: string, cpu: number): void;
  /** The simulated clock and its timers: a blocked wait lets time pass to the next timer or its timeout. */
  readonly clock: { readonly now: bigint; deadline(dueTime: bigint): bigint };
  readonly timers: { nextDue(): bigint | null; advanceTo(t: bigint): void };
}

interface EventRecord {
  signaled: boolean;
  readonly type: number;
}
interface DpcRecord {
  readonly routine: KDEFERRED_ROUTINE;
  readonly context: unknown;
  target: number | null;
  queued: boolean;
  readonly name: string;
}

/** Spin locks, IRQL changes, events and DPCs, with Driver Verifier's pairing checks. */
export class Sync {
  readonly #locks = new WeakSet<object>();
  readonly #events = new WeakMap<object, EventRecord>();
  readonly #dpcs = new WeakMap<object, DpcRecord>();
  #nextDpc = 1;

  constructor(private readonly m: SyncHost) {}

  // ---- IRQL ----
  raiseIrql(newIrql: number): number {
    const ctx = this.m.cpus.current;
    this.m.verifier.check('KE-IRQL-02', Number.isInteger(newIrql) && newIrql >= ctx.irql, () => `KeRaiseIrql(${irqlName(newIrql)}) from the higher ${irqlName(ctx.irql)}`);
    const old = ctx.irql;
    ctx.irql = newIrql;
    return old;
  }

  lowerIrql(newIrql: number): void {
    const ctx = this.m.cpus.current;
    this.m.verifier.check('KE-IRQL-02', Number.isInteger(newIrql) && newIrql <= ctx.irql, () => `KeLowerIrql(${irqlName(newIrql)}) from the lower ${irqlName(ctx.irql)}`);
    ctx.irql = newIrql;
  }

  // ---- spin locks ----
  initSpinLock(lock: object): void {
    if (typeof lock !== 'object' || lock === null) this.m.verifier.fail('KAPI-01', 'KeInitializeSpinLock(NULL)');
    this.#locks.add(lock);
  }

  acquire(lock: object, api: string, atDpcLevel: boolean): number {
    const m: SyncHost = this.m;
    const ctx = m.cpus.current;
    if (typeof lock !== 'object' || lock === null || !this.#locks.has(lock)) m.verifier.fail('KAPI-01', `${api} on a spin lock that KeInitializeSpinLock never initialised`);
    if (atDpcLevel) m.verifier.check('KE-IRQL-02', ctx.irql === DISPATCH_LEVEL, () => `${api} at ${irqlName(ctx.irql)}; it requires DISPATCH_LEVEL`);
    else m.verifier.check('KE-IRQL-02', ctx.irql <= DISPATCH_LEVEL, () => `${api} at ${irqlName(ctx.irql)}; it is allowed up to DISPATCH_LEVEL`);
    const owner = m.cpus.lockOwner.get(lock);
    m.verifier.check('KE-IRQL-05', owner === undefined, () =>
      owner === ctx.cpu ? `${api}: CPU ${ctx.cpu} acquires a spin lock it already holds (deadlock)` : `${api}: the spin lock is held by CPU ${owner} while CPU ${ctx.cpu} waits for it inside code that CPU ${owner} cannot leave (deadlock)`);
    const old = ctx.irql;
    if (!atDpcLevel) ctx.irql = DISPATCH_LEVEL;
    ctx.held.add(lock);
    m.cpus.lockOwner.set(lock, ctx.cpu);
    return old;
  }

  release(lock: object, api: string, newIrql: number | null): void {
    const m: SyncHost = this.m;
    const ctx = m.cpus.current;
    const owner = m.cpus.lockOwner.get(lock);
    m.verifier.check('KE-IRQL-05', owner === ctx.cpu, () => `${api} of a spin lock ${owner === undefined ? 'that is not held' : `held by CPU ${owner}`}`);
    if (newIrql === null) m.verifier.check('KE-IRQL-02', ctx.irql === DISPATCH_LEVEL, () => `${api} at ${irqlName(ctx.irql)}; it requires DISPATCH_LEVEL`);
    else m.verifier.check('KE-IRQL-02', Number.isInteger(newIrql) && newIrql <= ctx.irql, () => `${api} restores ${irqlName(newIrql)}, above the current ${irqlName(ctx.irql)}`);
    ctx.held.delete(lock);
    m.cpus.lockOwner.delete(lock);
    if (newIrql !== null) ctx.irql = newIrql;
  }

  // ---- events ----
  initEvent(ev: object, type: number, state: boolean): void {
    if (typeof ev !== 'object' || ev === null) this.m.verifier.fail('KAPI-01', 'KeInitializeEvent(NULL)');
    this.#events.set(ev, { signaled: !!state, type });
  }

  event(ev: unknown, api: string): EventRecord {
    const rec = typeof ev === 'object' && ev !== null ? this.#events.get(ev) : undefined;
    if (!rec) this.m.verifier.fail('KAPI-01', `${api} on an event that KeInitializeEvent never initialised`);
    return rec;
  }

  setEvent(ev: object): number {
    const rec = this.event(ev, 'KeSetEvent');
    this.m.verifier.check('KE-IRQL-02', this.m.cpus.current.irql <= DISPATCH_LEVEL, () => `KeSetEvent at ${irqlName(this.m.cpus.current.irql)}`);
    const was = rec.signaled ? 1 : 0;
    rec.signaled = true;
    return was;
  }

  /**
   * Blocks the calling thread until `done()` holds: the rest of the system runs, and when nothing
   * can run, time passes to the next timer's expiry (never beyond `deadline`, an interrupt time).
   * Returns 'done', 'timeout' (the clock reached `deadline`) or 'hang' (nothing left that could make
   * `done()` hold). Stops early, returning 'done' or 'hang', once a violation is recorded.
   */
  block(done: () => boolean, deadline: bigint | null): 'done' | 'timeout' | 'hang' {
    const m: SyncHost = this.m;
    const stop = () => done() || m.verifier.firstViolation !== undefined;
    // A wait without a deadline that only periodic timers keep busy is a hang once this much time passed.
    const horizon = m.clock.now + BLOCK_HORIZON_TICKS;
    for (;;) {
      m.work.runUntil(stop);
      if (stop()) return done() ? 'done' : 'hang';
      const next = m.timers.nextDue();
      if (next !== null && (deadline === null || next <= deadline) && (deadline !== null || next <= horizon)) {
        m.timers.advanceTo(next);
        continue;
      }
      if (deadline !== null) {
        m.timers.advanceTo(deadline);
        return 'timeout';
      }
      return 'hang';
    }
  }

  wait(ev: object, timeout: bigint | null = null): number {
    const m: SyncHost = this.m;
    const rec = this.event(ev, 'KeWaitForSingleObject');
    m.trace.add('call', 'KeWaitForSingleObject');
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= APC_LEVEL, () => `KeWaitForSingleObject with a wait at ${irqlName(m.cpus.current.irql)}; waiting requires IRQL <= APC_LEVEL`);
    m.verifier.check('PWR-08', !m.cpus.current.routine.startsWith('DispatchRoutine[IRP_MJ_POWER]'), () => 'KeWaitForSingleObject inside the power dispatch routine: waiting for lower drivers to finish a power IRP can deadlock; finish it in a completion routine or work item');
    if (timeout !== null && typeof timeout !== 'bigint') m.verifier.fail('KAPI-01', 'KeWaitForSingleObject: Timeout is neither NULL nor a LARGE_INTEGER (bigint)');
    if (!rec.signaled && timeout === 0n) return STATUS_TIMEOUT;
    if (!rec.signaled) {
      // The waiting thread blocks; the rest of the system runs (and time passes) until the event is set.
      const r = this.block(() => rec.signaled, timeout === null ? null : m.clock.deadline(timeout));
      m.assertAlive();
      if (r === 'timeout') {
        m.trace.add('return', 'KeWaitForSingleObject returned STATUS_TIMEOUT');
        return STATUS_TIMEOUT;
      }
      m.verifier.check('KAPI-05', rec.signaled, () => 'KeWaitForSingleObject waits for an event that nothing will ever set (the thread hangs)');
    }
    if (rec.type === SynchronizationEvent) rec.signaled = false;
    return STATUS_SUCCESS;
  }

  // ---- DPCs ----
  initDpc(dpc: object, routine: KDEFERRED_ROUTINE, context: unknown): void {
    if (typeof dpc !== 'object' || dpc === null || typeof routine !== 'function') this.m.verifier.fail('KAPI-01', 'KeInitializeDpc with a NULL DPC or routine');
    this.#dpcs.set(dpc, { routine, context, target: null, queued: false, name: `DPC#${this.#nextDpc++}` });
  }

  dpc(dpc: unknown, api: string): DpcRecord {
    const rec = typeof dpc === 'object' && dpc !== null ? this.#dpcs.get(dpc) : undefined;
    if (!rec) this.m.verifier.fail('KAPI-01', `${api} on a DPC that KeInitializeDpc never initialised`);
    return rec;
  }

  setTarget(dpc: object, cpu: number): void {
    const rec = this.dpc(dpc, 'KeSetTargetProcessorDpc');
    this.m.verifier.check('KAPI-01', Number.isInteger(cpu) && cpu >= 0 && cpu < this.m.cpus.count, () => `KeSetTargetProcessorDpc to processor ${cpu}, which does not exist`);
    rec.target = cpu;
  }

  /** The work-queue label of `dpc`'s queued run. */
  labelOf(dpc: object): string {
    return `dpc:${this.dpc(dpc, 'KeInsertQueueDpc').name}`;
  }

  /**
   * Queues a DPC; it runs at DISPATCH_LEVEL on its target processor, or, untargeted, on `untargetedCpu`
   * (an expiring timer's processor) or the current one.
   */
  insertQueue(dpc: object, a1: unknown, a2: unknown, untargetedCpu?: number): boolean {
    const m: SyncHost = this.m;
    const rec = this.dpc(dpc, 'KeInsertQueueDpc');
    if (rec.queued) return false;
    rec.queued = true;
    const cpu = rec.target ?? untargetedCpu ?? m.cpus.current.cpu;
    m.trace.add('dpc', () => `KeInsertQueueDpc(${rec.name}) -> CPU ${cpu}`, () => ({ dpc: rec.name, cpu }));
    m.work.push(
      workItem(
        `dpc:${rec.name}`,
        () => !m.cpus.atOrAboveDispatch(cpu) && !m.cpus.anyLockHeld,
        () => {
          rec.queued = false;
          m.trace.add('dpc', () => `${rec.name} runs on CPU ${cpu}`, () => ({ dpc: rec.name, cpu }));
          m.dpcRan(rec.name, cpu);
          callProvider(m, `DeferredRoutine(${rec.name})`, { cpu, irql: DISPATCH_LEVEL }, 'void', () => rec.routine(dpc, rec.context, a1, a2));
        },
      ),
    );
    return true;
  }

  removeQueue(dpc: object): boolean {
    const rec = this.dpc(dpc, 'KeRemoveQueueDpc');
    if (!rec.queued) return false;
    rec.queued = false;
    this.m.work.remove((w) => w.label === `dpc:${rec.name}`);
    return true;
  }

  // ---- interrupt synchronisation ----
  synchronize(interrupt: object, routine: KSYNCHRONIZE_ROUTINE, context: unknown): boolean {
    const m: SyncHost = this.m;
    const irq = m.hal.interrupt(interrupt, 'KeSynchronizeExecution');
    const ctx = m.cpus.current;
    m.verifier.check('KE-IRQL-02', ctx.irql <= SIMULATED_DIRQL, () => `KeSynchronizeExecution above DIRQL`);
    m.verifier.check('KE-IRQL-05', !m.cpus.lockOwner.has(irq.lock), () => 'KeSynchronizeExecution while the interrupt spin lock is already held (deadlock)');
    m.cpus.lockOwner.set(irq.lock, ctx.cpu);
    try {
      return callProvider(m, 'SynchronizeRoutine', { cpu: ctx.cpu, irql: SIMULATED_DIRQL }, 'boolean', () => routine(context)) as boolean;
    } finally {
      m.cpus.lockOwner.delete(irq.lock);
    }
  }

  acquireInterruptLock(interrupt: object): number {
    const m: SyncHost = this.m;
    const irq = m.hal.interrupt(interrupt, 'KeAcquireInterruptSpinLock');
    const ctx = m.cpus.current;
    m.verifier.check('KE-IRQL-02', ctx.irql <= SIMULATED_DIRQL, () => 'KeAcquireInterruptSpinLock above DIRQL');
    m.verifier.check('KE-IRQL-05', !m.cpus.lockOwner.has(irq.lock), () => 'KeAcquireInterruptSpinLock while the interrupt spin lock is already held (deadlock)');
    const old = ctx.irql;
    ctx.irql = SIMULATED_DIRQL;
    ctx.held.add(irq.lock);
    m.cpus.lockOwner.set(irq.lock, ctx.cpu);
    return old;
  }

  releaseInterruptLock(interrupt: object, old: number): void {
    const irq = this.m.hal.interrupt(interrupt, 'KeReleaseInterruptSpinLock');
    this.release(irq.lock, 'KeReleaseInterruptSpinLock', old);
  }
}
