/**
 * The verdict policy, shared by the run (`buildReport`), the shard merge and the report
 * schema's consistency check, so all three decide alike.
 *
 * - A failed `MUST` or `DERIVED` rule makes the run `nonconformant`.
 * - A failed `SHOULD` rule is a **warning**: it is reported (status `fail`, with its
 *   counterexample and replay token) but does not by itself make the run nonconformant —
 *   unless the run is strict (the default; `--should-warn` turns it off), where it fails the
 *   verdict like any other rule.
 * - Harness or candidate-load errors make the verdict `error`.
 *
 * @module
 */
import type { RuleLevel, RuleStatus, Verdict } from './vocabulary';

/** What the policy reads of a rule result (a report's `RuleResult` is one). */
export interface JudgedRule {
  readonly id: string;
  readonly level: RuleLevel;
  readonly status: RuleStatus;
}

/** Whether a failure of a rule of this level fails the verdict (`strict`: the run was strict, i.e. not `--should-warn`). */
export function levelFailsVerdict(level: RuleLevel, strict: boolean): boolean {
  switch (level) {
    case 'MUST':
    case 'DERIVED':
      return true;
    case 'SHOULD':
      return strict;
    default: {
      const never: never = level;
      throw new Error(`unknown rule level ${String(never)}`);
    }
  }
}

/** Whether this rule failed in a way that fails the verdict. */
export function failsVerdict(rule: Pick<JudgedRule, 'level' | 'status'>, strict: boolean): boolean {
  return rule.status === 'fail' && levelFailsVerdict(rule.level, strict);
}

/**
 * Ids of the failed rules that are only warnings (failed `SHOULD` rules of a non-strict run),
 * in report order. Always empty for a strict run.
 */
export function warningRuleIds(rules: readonly JudgedRule[], strict: boolean): string[] {
  return rules.filter((r) => r.status === 'fail' && !levelFailsVerdict(r.level, strict)).map((r) => r.id);
}

/** The verdict of a run: `error` if it had errors, else `nonconformant` if a rule fails the verdict, else `conformant`. */
export function decideVerdict(rules: readonly Pick<JudgedRule, 'level' | 'status'>[], errorCount: number, strict: boolean): Verdict {
  if (errorCount > 0) return 'error';
  return rules.some((r) => failsVerdict(r, strict)) ? 'nonconformant' : 'conformant';
}
