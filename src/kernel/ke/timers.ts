/**
 * Kernel timers (KeInitializeTimer(Ex), KeSetTimer(Ex), KeCancelTimer, KeReadStateTimer) on the
 * simulated clock, with Driver Verifier's timer checks: no use of an uninitialised timer, no timer
 * left set in memory that goes away (the device extension at IoDeleteDevice, the driver image at
 * Unload: bug check TIMER_OR_DPC_INVALID, 0xC7).
 *
 * A timer that expires queues its DPC (if it has one) to run at DISPATCH_LEVEL on a processor the
 * scheduler picks (the DPC's target processor when it has one), in due-time order; a periodic timer
 * re-arms. Timers expire only when time passes ({@link KernelTimers.advanceTo}).
 *
 * @module
 */
import { DISPATCH_LEVEL, irqlName } from '../api/irql';
import { NotificationTimer, SynchronizationTimer } from '../api/wdm-services';
import type { Clock } from './clock';
import { TICKS_PER_MILLISECOND } from './clock';
import type { KernelContext } from './context';

/** What the timers use of the machine: the kernel context, the clock and the DPC queue. */
export interface TimersHost extends KernelContext {
  readonly clock: Clock;
  readonly sync: {
    /** Validates a DPC object (KAPI-01 when KeInitializeDpc never initialised it). */
    dpc(dpc: unknown, api: string): unknown;
    /** Queues a DPC; an untargeted one runs on `cpu`. */
    insertQueue(dpc: object, a1: unknown, a2: unknown, cpu?: number): boolean;
    /** The work-queue label of a DPC's queued run. */
    labelOf(dpc: object): string;
  };
}

/** The kernel's record of one KTIMER. */
interface TimerRecord {
  readonly name: string;
  readonly type: number;
  set: boolean;
  signaled: boolean;
  due: bigint;
  /** Re-arm period in 100 ns units (0: one-shot). */
  period: bigint;
  dpc: object | null;
  /** Order of setting, to break due-time ties deterministically. */
  order: number;
}

/** The machine's timers. */
export class KernelTimers {
  readonly #timers = new WeakMap<object, TimerRecord>();
  /** Set timers (small: a driver keeps a handful). */
  readonly #armed: { obj: object; rec: TimerRecord }[] = [];
  #next = 1;
  #order = 0;
  /** Timers that expired since the count was last read (see {@link takeExpired}). */
  #expired = 0;
  /** Work-queue labels of the DPCs expiring timers queued (see {@link takeQueuedDpcs}). */
  readonly #queued = new Set<string>();

  constructor(private readonly m: TimersHost) {}

  /** KeInitializeTimer / KeInitializeTimerEx. */
  initialize(timer: unknown, type: number, api: string): void {
    const m: TimersHost = this.m;
    if (typeof timer !== 'object' || timer === null) m.verifier.fail('KAPI-01', `${api}(NULL)`);
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `${api} at ${irqlName(m.cpus.current.irql)}; it is allowed up to DISPATCH_LEVEL`);
    m.verifier.check('KAPI-01', type === NotificationTimer || type === SynchronizationTimer, () => `${api} with Type ${String(type)}, neither NotificationTimer nor SynchronizationTimer`);
    const old = this.#timers.get(timer);
    m.verifier.check('KSVC-03', old === undefined || !old.set, () => `${api} of ${old?.name}, which is set: re-initialising a set timer corrupts the timer table`);
    this.#timers.set(timer, { name: `TIMER#${this.#next++}`, type, set: false, signaled: false, due: 0n, period: 0n, dpc: null, order: 0 });
    m.trace.add('call', `${api}`);
  }

  #record(timer: unknown, api: string): TimerRecord {
    const rec = typeof timer === 'object' && timer !== null ? this.#timers.get(timer) : undefined;
    if (!rec) this.m.verifier.fail('KSVC-03', `${api} on a timer that KeInitializeTimer(Ex) never initialised`);
    return rec;
  }

  /** KeSetTimer / KeSetTimerEx: returns whether the timer was already set. */
  set(timer: object, dueTime: unknown, periodMs: unknown, dpc: unknown, api: string): boolean {
    const m: TimersHost = this.m;
    const rec = this.#record(timer, api);
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `${api} at ${irqlName(m.cpus.current.irql)}; it is allowed up to DISPATCH_LEVEL`);
    if (typeof dueTime !== 'bigint') m.verifier.fail('KAPI-01', `${api}: DueTime is not a LARGE_INTEGER (bigint)`);
    if (typeof periodMs !== 'number' || !Number.isInteger(periodMs) || periodMs < 0 || periodMs > 0x7fff_ffff) m.verifier.fail('KAPI-01', `${api}: Period ${String(periodMs)} is not a LONG count of milliseconds >= 0`);
    if (dpc !== null) m.sync.dpc(dpc, api);
    const was = rec.set;
    if (was) this.#disarm(timer);
    rec.set = true;
    rec.signaled = false;
    rec.due = m.clock.deadline(dueTime);
    rec.period = BigInt(periodMs) * TICKS_PER_MILLISECOND;
    rec.dpc = dpc as object | null;
    rec.order = this.#order++;
    this.#armed.push({ obj: timer, rec });
    const due = rec.due;
    m.trace.add('call', () => `${api}(${rec.name}, due at ${due} (now ${m.clock.now})${rec.period > 0n ? `, period ${periodMs} ms` : ''})${was ? ' = TRUE' : ''}`);
    return was;
  }

  #disarm(timer: object): void {
    const i = this.#armed.findIndex((a) => a.obj === timer);
    if (i >= 0) this.#armed.splice(i, 1);
  }

  /** KeCancelTimer: returns whether the timer was set. */
  cancel(timer: object): boolean {
    const m: TimersHost = this.m;
    const rec = this.#record(timer, 'KeCancelTimer');
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `KeCancelTimer at ${irqlName(m.cpus.current.irql)}; it is allowed up to DISPATCH_LEVEL`);
    const was = rec.set;
    rec.set = false;
    this.#disarm(timer);
    m.trace.add('call', () => `KeCancelTimer(${rec.name}) = ${was ? 'TRUE' : 'FALSE'}`);
    return was;
  }

  /** KeReadStateTimer. */
  readState(timer: object): boolean {
    return this.#record(timer, 'KeReadStateTimer').signaled;
  }

  /** The earliest due time of a set timer, or null when none is set. */
  nextDue(): bigint | null {
    let best: bigint | null = null;
    for (const a of this.#armed) if (best === null || a.rec.due < best) best = a.rec.due;
    return best;
  }

  /** True when some timer is set. */
  get anySet(): boolean {
    return this.#armed.length > 0;
  }

  /** Whether `obj` is a timer that is set now. */
  isSet(obj: object): boolean {
    return this.#timers.get(obj)?.set === true;
  }

  /** Names of the set timers among `objs`. */
  setAmong(objs: Iterable<object>): string[] {
    const out: string[] = [];
    for (const o of objs) {
      const r = this.#timers.get(o);
      if (r?.set) out.push(r.name);
    }
    return out;
  }

  /** Names of every set timer. */
  get setNames(): string[] {
    return this.#armed.map((a) => a.rec.name);
  }

  /** How many timers expired since the last call (and resets the count). */
  takeExpired(): number {
    const n = this.#expired;
    this.#expired = 0;
    return n;
  }

  /** The work-queue labels of the DPCs timers queued since the last call (and forgets them). */
  takeQueuedDpcs(): Set<string> {
    const out = new Set(this.#queued);
    this.#queued.clear();
    return out;
  }

  /**
   * Lets time pass up to interrupt time `t`: every timer due by then expires in due-time order
   * (ties in the order they were set), the clock standing at its due time when it does.
   */
  advanceTo(t: bigint): void {
    const m: TimersHost = this.m;
    for (;;) {
      let pick = -1;
      for (let i = 0; i < this.#armed.length; i++) {
        const r = this.#armed[i]!.rec;
        if (r.due > t) continue;
        if (pick < 0) pick = i;
        else {
          const p = this.#armed[pick]!.rec;
          if (r.due < p.due || (r.due === p.due && r.order < p.order)) pick = i;
        }
      }
      if (pick < 0) break;
      const { obj, rec } = this.#armed[pick]!;
      this.#armed.splice(pick, 1);
      m.clock.moveTo(rec.due);
      this.#expire(obj, rec);
      if (m.verifier.firstViolation) return;
    }
    m.clock.moveTo(t);
  }

  /** Lets `ticks` (100 ns units) pass. */
  elapse(ticks: bigint): void {
    if (ticks > 0n) this.advanceTo(this.m.clock.now + ticks);
  }

  #expire(obj: object, rec: TimerRecord): void {
    const m: TimersHost = this.m;
    const now = m.clock.now;
    rec.signaled = true;
    this.#expired++;
    if (rec.period > 0n) {
      rec.due = now + rec.period;
      rec.order = this.#order++;
      this.#armed.push({ obj, rec });
    } else {
      rec.set = false;
    }
    m.trace.add('note', () => `${rec.name} expires at interrupt time ${now}`);
    if (rec.dpc !== null) {
      // The DPC runs on the processor that handled the clock interrupt: the scheduler's choice.
      const cpu = m.chooser.choose(m.cpus.count, 'timer dpc cpu');
      if (m.sync.insertQueue(rec.dpc, Number(now & 0xffff_ffffn), Number(now >> 32n), cpu)) this.#queued.add(m.sync.labelOf(rec.dpc));
    }
  }
}
