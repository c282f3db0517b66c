/**
 * Where every nondeterministic choice of the simulated system comes from: which pending work runs
 * next, whether an interrupt is delivered at a given point, which IRQL a client calls at.
 *
 * The default chooser always picks the first option (FIFO, no preemption). Properties pass a
 * chooser fed by fast-check, so a failing interleaving shrinks and replays like any other input.
 */
export interface Chooser {
  /** Returns an integer in [0, n). `label` names the decision for diagnostics. */
  choose(n: number, label: string): number;
}

/** The FIFO chooser: always option 0. */
export const firstChoice: Chooser = { choose: () => 0 };

/**
 * A chooser that replays a fixed list of decisions (drawn by fast-check), taking each modulo the
 * number of options and falling back to 0 once the list is used up.
 */
export function listChooser(choices: readonly number[]): Chooser {
  let i = 0;
  return {
    choose(n) {
      if (n <= 1) return 0;
      const c = i < choices.length ? choices[i++]! : 0;
      return c % n;
    },
  };
}

/** A unit of deferred system work: a pended completion, a work item, a DPC, an engine step, an interrupt. */
export interface WorkItem {
  readonly label: string;
  /** True when the item may run now (e.g. a DPC whose processor is below DISPATCH_LEVEL). */
  readonly ready: () => boolean;
  readonly run: () => void;
}

/**
 * A work item from its parts. Queued once per DPC, interrupt or work item, so the closures are
 * passed in rather than written as `ready:`/`run:` properties (which a name-keeping build wraps to
 * name them on every call).
 */
export function workItem(label: string, ready: () => boolean, run: () => void): WorkItem {
  return { label, ready, run };
}

/** The queue of deferred work, drained by waits and between steps in the order the chooser decides. */
export class WorkQueue {
  #items: WorkItem[] = [];
  constructor(private readonly chooser: Chooser) {}

  push(item: WorkItem): void {
    this.#items.push(item);
  }

  /** Removes items for which `pred` holds (e.g. a DPC removed by KeRemoveQueueDpc). */
  remove(pred: (item: WorkItem) => boolean): number {
    const before = this.#items.length;
    this.#items = this.#items.filter((i) => !pred(i));
    return before - this.#items.length;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Runs one ready item chosen by the chooser; false when none is ready. */
  runOne(): boolean {
    const ready: number[] = [];
    for (let i = 0; i < this.#items.length; i++) if (this.#items[i]!.ready()) ready.push(i);
    if (ready.length === 0) return false;
    const pick = ready[this.chooser.choose(ready.length, 'work')]!;
    const [item] = this.#items.splice(pick, 1);
    item!.run();
    return true;
  }

  /**
   * Runs, in queue order, every ready item for which `pred` holds, including ones queued
   * meanwhile; returns how many ran. The chooser is not consulted (no decision is drawn).
   */
  runWhere(pred: (item: WorkItem) => boolean, limit = 10_000): number {
    let n = 0;
    while (n < limit) {
      const i = this.#items.findIndex((w) => pred(w) && w.ready());
      if (i < 0) break;
      const [item] = this.#items.splice(i, 1);
      item!.run();
      n++;
    }
    return n;
  }

  /** Runs ready items until `done()` holds or nothing is ready; bounded by `limit` steps. Returns `done()`. */
  runUntil(done: () => boolean, limit = 100_000): boolean {
    let n = 0;
    while (!done() && n++ < limit && this.runOne()) {
      /* keep going */
    }
    return done();
  }
}
