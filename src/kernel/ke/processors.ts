import { DISPATCH_LEVEL, PASSIVE_LEVEL } from '../api/irql';

/** What is running now: which simulated processor, at which IRQL, on behalf of which routine. */
export class ExecutionContext {
  #held: Set<object> | null = null;

  constructor(
    readonly cpu: number,
    public irql: number,
    /** The routine name, for messages ("in the ISR", "in DriverEntry"). */
    readonly routine: string,
  ) {}

  /** Spin locks acquired in this context and not yet released (made on first use: most routines take none). */
  get held(): Set<object> {
    return (this.#held ??= new Set());
  }

  /** How many spin locks are held ({@link held}'s size, without making the set). */
  get heldCount(): number {
    return this.#held === null ? 0 : this.#held.size;
  }
}

/**
 * The simulated processors. JavaScript runs one thing at a time, so concurrency is modelled as
 * nesting: an ISR delivered while a dispatch routine runs pushes a context on the ISR's processor.
 * A processor's IRQL is that of its innermost context.
 */
export class Processors {
  readonly #stack: ExecutionContext[] = [];
  /** Owner processor of each held spin lock. */
  readonly lockOwner = new Map<object, number>();

  constructor(readonly count: number) {}

  get current(): ExecutionContext {
    return this.#stack[this.#stack.length - 1] ?? this.#idle;
  }

  /** Processor 0 at PASSIVE_LEVEL with nothing running (one object, not one per call). */
  readonly #idle = new ExecutionContext(0, PASSIVE_LEVEL, 'system');

  get depth(): number {
    return this.#stack.length;
  }

  push(cpu: number, irql: number, routine: string): ExecutionContext {
    const ctx = new ExecutionContext(cpu, irql, routine);
    this.#stack.push(ctx);
    return ctx;
  }

  pop(ctx: ExecutionContext): void {
    const i = this.#stack.lastIndexOf(ctx);
    if (i >= 0) this.#stack.splice(i);
  }

  /** The IRQL of processor `cpu` (its innermost context), PASSIVE_LEVEL when idle. */
  irqlOf(cpu: number): number {
    for (let i = this.#stack.length - 1; i >= 0; i--) if (this.#stack[i]!.cpu === cpu) return this.#stack[i]!.irql;
    return PASSIVE_LEVEL;
  }

  /** True when any processor holds any spin lock (DPCs are not run inside such sections). */
  get anyLockHeld(): boolean {
    return this.lockOwner.size > 0;
  }

  /** True when processor `cpu` is at or above DISPATCH_LEVEL somewhere in the nest. */
  atOrAboveDispatch(cpu: number): boolean {
    return this.irqlOf(cpu) >= DISPATCH_LEVEL;
  }
}
