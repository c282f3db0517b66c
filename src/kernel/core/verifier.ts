import type { RuleId } from '../../../spec';
import type { TraceLog } from './trace-log';

/** A broken rule, as the verifier recorded it. */
export interface Violation {
  readonly ruleId: RuleId;
  readonly message: string;
  /** Trace position of the violation event. */
  readonly seq: number;
  /** The JavaScript stack where it was detected (to find the candidate's source line). */
  readonly stack: string;
}

/**
 * Thrown to unwind candidate code after a violation, the way a bug check stops a machine.
 * The violation is recorded before this is thrown, so a candidate that catches it gains nothing:
 * the run is already failed and every later kernel call throws again.
 */
export class BugCheck extends Error {
  constructor(readonly violation: Violation) {
    super(`[${violation.ruleId}] ${violation.message}`);
    this.name = 'BugCheck';
  }
}

/**
 * Driver-Verifier-style bookkeeping: counts every check made per rule (so reports can tell
 * exercised rules from unexercised ones) and records the violations.
 */
export class Verifier {
  readonly #exercised = new Map<RuleId, number>();
  readonly #violations: Violation[] = [];

  constructor(private readonly trace: TraceLog) {}

  /** Checks `ok` for `ruleId`; on failure records the violation and throws {@link BugCheck}. */
  check(ruleId: RuleId, ok: boolean, message: () => string): void {
    this.#exercised.set(ruleId, (this.#exercised.get(ruleId) ?? 0) + 1);
    if (!ok) this.fail(ruleId, message());
  }

  /** Marks a rule as exercised without a verdict (the check passed implicitly). */
  exercised(ruleId: RuleId): void {
    this.#exercised.set(ruleId, (this.#exercised.get(ruleId) ?? 0) + 1);
  }

  /** Records a violation and throws {@link BugCheck}. */
  fail(ruleId: RuleId, message: string): never {
    throw new BugCheck(this.record(ruleId, message));
  }

  /** Records a violation without throwing (for checks made outside candidate code). */
  record(ruleId: RuleId, message: string): Violation {
    this.#exercised.set(ruleId, (this.#exercised.get(ruleId) ?? 0) + 1);
    const seq = this.trace.add('violation', `${ruleId}: ${message}`, { ruleId });
    const v: Violation = { ruleId, message, seq, stack: new Error().stack ?? '' };
    this.#violations.push(v);
    return v;
  }

  /** The first violation, if any: once a machine has bug-checked, it stays failed. */
  get firstViolation(): Violation | undefined {
    return this.#violations[0];
  }

  get violations(): readonly Violation[] {
    return this.#violations;
  }

  /** Per-rule check counts. */
  get exercisedCounts(): ReadonlyMap<RuleId, number> {
    return this.#exercised;
  }
}

/**
 * A failure of the harness itself (a bug in the simulated kernel, or a candidate input the
 * kernel failed to validate). Never reported as the candidate's fault, never as a pass.
 */
export class HarnessError extends Error {
  constructor(
    readonly api: string,
    readonly original: unknown,
  ) {
    super(`harness error in ${api}: ${original instanceof Error ? original.message : String(original)}`);
    this.name = 'HarnessError';
  }
}
