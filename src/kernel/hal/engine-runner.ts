import type { EngineNotice, EngineStepEvent } from '../../hardware';
import type { IoatEngine } from '../../hardware';
import type { KernelContext } from '../ke/context';
import type { WorkItem } from '../ke/scheduler';
import type { SimDevice } from './sim-device';

/** Who wants to see what the engines do (the NetDMA client's data path). */
export interface EngineListener {
  /** One descriptor (or an idle re-read, or an error halt) was processed. */
  onStep(dev: SimDevice, ev: EngineStepEvent): void;
  /** A register write had an effect (command, SUSPEND/ABORT completion word, re-arm interrupt). */
  onNotice(dev: SimDevice, n: EngineNotice): void;
  /** The provider wrote a BAR0 register (after the engine applied it). */
  onRegisterWrite(dev: SimDevice, offset: number, width: number, value: bigint): void;
  /** The engine raised MSI-X message `ch`. */
  onInterruptRaised(dev: SimDevice, ch: number): void;
  /** The ISR for message `ch` is about to run. */
  onIsr(dev: SimDevice, ch: number): void;
  /** The device lost power (SET_POWER D3 reached the bus driver): the engine was function-reset. */
  onFunctionReset(dev: SimDevice): void;
}

/** What the engine runner uses of the machine: the kernel context, the devices, and which providers NetDMA has started (NDMA-DP-17). */
export interface EngineRunnerHost extends KernelContext {
  readonly devices: readonly SimDevice[];
  readonly netdma: { readonly providers: ReadonlyMap<object, { readonly device: SimDevice; readonly state: string; readonly stoppedWith?: object | null }> };
  /** The engine behind a device. */
  engineOf(dev: SimDevice): IoatEngine;
}

/** Most nested preemption decisions (an ISR delivered at a preemption point has its own). */
const MAX_DEPTH = 2;
/** Most scheduler actions taken at one preemption point. */
const MAX_ACTIONS_PER_POINT = 3;

/** What {@link EngineRunner.runnable} returns when nothing can run (shared: most preemption points). */
const NOTHING_RUNNABLE: ReadonlyArray<{ readonly dev: SimDevice; readonly ch: number }> = Object.freeze([]);
/** No interrupt deliveries pending (shared). */
const NO_DELIVERIES: readonly WorkItem[] = Object.freeze([]);

/**
 * Engine scheduling: the copy engines advance one descriptor per `engine.step(ch)`, and every
 * decision comes from the machine's chooser so that interleavings shrink and replay.
 *
 * - At every preemption point (register access, KeStallExecutionProcessor) the scheduler may take
 *   a few actions: step a runnable channel of a powered device, or deliver a pending interrupt whose
 *   processor is below DIRQL and whose interrupt spin lock is free.
 * - A persistent work item keeps the engines running whenever the work queue is drained (waits,
 *   IRPs in flight, the client's drains), interleaved by the chooser with ISRs, DPCs and the rest;
 *   `drain(n)` bounds the engine steps taken.
 * - NDMA-DP-17: a channel of a device whose provider was stopped (NetDmaProviderStop returned) on
 *   the resources it still has, or whose resources are released, must never be able to run. Before
 *   the provider's first NetDmaProviderStart on a START's resources the engine is the driver's own
 *   (a bring-up self-test, as Linux ioat does at probe): NetDMA has handed it nothing yet.
 */
export class EngineRunner {
  listener: EngineListener | null = null;
  /** Engine steps still allowed to the work item (Infinity outside bounded drains). */
  #budget = Number.POSITIVE_INFINITY;
  #depth = 0;
  readonly #interrupts: WorkItem[] = [];
  readonly #engineItem: WorkItem;
  /** Engine steps taken, for statistics. */
  steps = 0;

  constructor(private readonly m: EngineRunnerHost) {
    this.#engineItem = {
      label: 'engine',
      ready: () => this.#budget > 0 && this.#anyRunnable(),
      run: () => {
        this.m.work.push(this.#engineItem);
        const r = this.runnable();
        if (r.length === 0) return;
        this.#budget--;
        const pick = r[this.m.chooser.choose(r.length, 'engine-step')]!;
        this.step(pick.dev, pick.ch);
      },
    };
    m.work.push(this.#engineItem);
  }

  /** Channels that can process a descriptor now, on powered devices. */
  runnable(): ReadonlyArray<{ readonly dev: SimDevice; readonly ch: number }> {
    let out: Array<{ dev: SimDevice; ch: number }> | null = null;
    for (const dev of this.m.devices) {
      if (dev.powerState !== 'D0') continue;
      for (const ch of this.engine(dev).runnableChannels()) (out ??= []).push({ dev, ch });
    }
    return out ?? NOTHING_RUNNABLE;
  }

  /** Whether {@link runnable} would list anything (without listing it). */
  #anyRunnable(): boolean {
    for (const dev of this.m.devices) {
      if (dev.powerState === 'D0' && this.engine(dev).runnableChannels().length > 0) return true;
    }
    return false;
  }

  engine(dev: SimDevice): IoatEngine {
    return this.m.engineOf(dev);
  }

  /** Steps channel `ch` of `dev` once, after checking it may still do DMA. */
  step(dev: SimDevice, ch: number): void {
    this.checkNoDmaAfterStop();
    const ev = this.engine(dev).step(ch);
    if (ev === undefined) return;
    this.steps++;
    this.m.trace.add('engine', ev.text);
    this.listener?.onStep(dev, ev);
  }

  /**
   * NDMA-DP-17: no device whose provider is stopped, or whose resources are released, has a
   * runnable channel. Counted as exercised each time it holds for such a device (a device with a
   * started provider and its hardware is outside the rule).
   */
  checkNoDmaAfterStop(): void {
    for (const dev of this.m.devices) {
      if (dev.powerState !== 'D0') continue;
      let started = false;
      let bringUp = false;
      for (const p of this.m.netdma.providers.values()) {
        if (p.device !== dev || p.state === 'deregistered') continue;
        started = p.state === 'started';
        bringUp = p.state === 'registered' || (p.state === 'stopped' && p.stoppedWith !== dev.resources);
        break;
      }
      const hw = dev.resources !== null && dev.mappings > 0 && !dev.removed;
      if ((started || bringUp) && hw) continue;
      const runnable = this.engine(dev).runnableChannels();
      this.m.verifier.check('NDMA-DP-17', runnable.length === 0, () => `engine channel ${runnable[0]} of ${dev.pdo.Name} still has descriptors to process after ${!started ? 'NetDmaProviderStop returned' : 'the provider released its hardware resources'}: the engine would DMA for a stopped provider`);
    }
  }

  /** Records an interrupt delivery work item so that preemption points can deliver it. */
  track(item: WorkItem): void {
    this.#interrupts.push(item);
  }

  /** Forgets a delivery item (it is running, or was dropped). */
  untrack(item: WorkItem): void {
    const i = this.#interrupts.indexOf(item);
    if (i >= 0) this.#interrupts.splice(i, 1);
  }

  /** A preemption point: the chooser may step engines and deliver interrupts here. */
  preempt(): void {
    if (this.#depth >= MAX_DEPTH || this.m.verifier.firstViolation !== undefined) return;
    this.#depth++;
    try {
      this.checkNoDmaAfterStop();
      for (let n = 0; n < MAX_ACTIONS_PER_POINT; n++) {
        const engines = this.#budget > 0 ? this.runnable() : NOTHING_RUNNABLE;
        const isrs = this.#interrupts.length === 0 ? NO_DELIVERIES : this.#interrupts.filter((i) => i.ready());
        const options = engines.length + isrs.length;
        if (options === 0) return;
        const c = this.m.chooser.choose(options + 1, 'preempt');
        if (c === 0) return;
        if (c <= engines.length) {
          const e = engines[c - 1]!;
          if (this.#budget !== Number.POSITIVE_INFINITY) this.#budget--;
          this.step(e.dev, e.ch);
        } else {
          const item = isrs[c - 1 - engines.length]!;
          this.untrack(item);
          this.m.work.remove((w) => w === item);
          item.run();
        }
      }
    } finally {
      this.#depth--;
    }
  }

  /**
   * Runs the work queue (ISRs, DPCs, work items) until nothing is ready, allowing at most
   * `maxEngineSteps` engine steps. Returns the number of engine steps taken.
   */
  drain(maxEngineSteps = Number.POSITIVE_INFINITY): number {
    const before = this.steps;
    const saved = this.#budget;
    this.#budget = maxEngineSteps;
    try {
      this.m.work.runUntil(() => this.m.verifier.firstViolation !== undefined, 50_000);
    } finally {
      this.#budget = saved;
    }
    this.m.assertAlive();
    return this.steps - before;
  }
}
