/**
 * The report's words: rule levels, rule statuses and verdicts. Shared by the schema
 * (`./schema`, which re-exports them) and the verdict policy (`./verdict`), which must not
 * depend on each other both ways.
 *
 * @module
 */

/** How strong a rule is: MUST / SHOULD come from the documentation, DERIVED rules follow from facts combined. */
export const RULE_LEVELS = ['MUST', 'SHOULD', 'DERIVED'] as const;

/** A rule's strength, see {@link RULE_LEVELS}. */
export type RuleLevel = (typeof RULE_LEVELS)[number];

/**
 * Outcome of one rule: `not-exercised` means no generated scenario ever reached the rule's check;
 * `waived` is a failure the candidate's team waived in its waiver file (with a written reason): it
 * keeps its failure and counterexample, never counts as a pass, and does not fail the verdict.
 */
export const RULE_STATUSES = ['pass', 'fail', 'waived', 'not-exercised'] as const;

/** A rule's outcome, see {@link RULE_STATUSES}. */
export type RuleStatus = (typeof RULE_STATUSES)[number];

/**
 * Overall outcome: `conformant` (no MUST or DERIVED rule failed; failed SHOULD rules are
 * warnings unless the run was strict), `nonconformant` (a rule failed that fails the verdict),
 * `error` (the harness or the candidate failed to load or run; see {@link ConformanceReport.errors}).
 */
export const VERDICTS = ['conformant', 'nonconformant', 'error'] as const;

/** The overall verdict, see {@link VERDICTS}. */
export type Verdict = (typeof VERDICTS)[number];
