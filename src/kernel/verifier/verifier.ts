import type { RuleId } from '../../../spec';
import { RULE_DATA } from '../../../spec/rules/index';
import type { TraceLog } from './trace-log';

/** Each rule's position in the catalog, the index of its check counter (ids outside it are appended). */
const RULE_INDEX = new Map<string, number>(RULE_DATA.map((r, i) => [r.id, i]));

function ruleIndex(ruleId: RuleId): number {
  let i = RULE_INDEX.get(ruleId);
  if (i === undefined) {
    i = RULE_INDEX.size;
    RULE_INDEX.set(ruleId, i);
  }
  return i;
}

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
  /** Checks made per rule, indexed by {@link ruleIndex} (a check is counted on every call, so no Map churn). */
  readonly #counts: number[] = new Array<number>(RULE_INDEX.size).fill(0);
  /** The rules checked so far, in the order of their first check. */
  readonly #order: RuleId[] = [];
  readonly #violations: Violation[] = [];

  constructor(private readonly trace: TraceLog) {}

  /** Checks `ok` for `ruleId`; on failure records the violation and throws {@link BugCheck}. */
  check(ruleId: RuleId, ok: boolean, message: () => string): void {
    this.#count(ruleId);
    if (!ok) this.fail(ruleId, message());
  }

  /** Marks a rule as exercised without a verdict (the check passed implicitly). */
  exercised(ruleId: RuleId): void {
    this.#count(ruleId);
  }

  #count(ruleId: RuleId): void {
    const i = ruleIndex(ruleId);
    const n = this.#counts[i] ?? 0;
    if (n === 0) this.#order.push(ruleId);
    this.#counts[i] = n + 1;
  }

  /** Records a violation and throws {@link BugCheck}. */
  fail(ruleId: RuleId, message: string): never {
    throw new BugCheck(this.record(ruleId, message));
  }

  /** Records a violation without throwing (for checks made outside candidate code). */
  record(ruleId: RuleId, message: string): Violation {
    this.#count(ruleId);
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

  /** Per-rule check counts, in the order the rules were first checked (a snapshot). */
  get exercisedCounts(): ReadonlyMap<RuleId, number> {
    const out = new Map<RuleId, number>();
    for (const id of this.#order) out.set(id, this.#counts[ruleIndex(id)]!);
    return out;
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
