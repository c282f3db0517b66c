/**
 * Public entry point of the netdma-conformance rule catalog.
 *
 * `RULES` is the validated list of rules a NetDMA provider driver is checked against,
 * `RuleId` the union of their literal ids, and `AMBIGUITIES` the suite's decision on each
 * ambiguity A1–A16 of `shared/wdk-netdma/FACTS.md`. Everything is validated with zod when
 * this module loads; invalid data throws an Error that names the offending rule.
 *
 * @packageDocumentation
 */
import { RULE_DATA } from './rules/index';
import { AMBIGUITY_DATA } from './ambiguities';
import {
  AMBIGUITY_IDS,
  AmbiguityDecisionSchema,
  RULE_FAMILIES,
  RuleSchema,
  type AmbiguityDecision,
  type AmbiguityId,
  type Rule,
  type RuleFamily,
} from './schema';

export * from './schema';
export { RULE_DATA } from './rules/index';
export { AMBIGUITY_DATA } from './ambiguities';

/** The literal id of every rule in the catalog, e.g. `'PNP-STOP-02'`. */
export type RuleId = (typeof RULE_DATA)[number]['id'];

/** A validated rule whose id is known to be a {@link RuleId}. */
export type CatalogRule = Rule & { readonly id: RuleId };

/** A validated ambiguity decision whose rule references are known to be {@link RuleId}s. */
export type CatalogAmbiguityDecision = AmbiguityDecision & { readonly rules: readonly RuleId[] };

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Validates raw rule data with {@link RuleSchema} and checks that ids are unique.
 * Used at module load for {@link RULES}; exported for tests and tools.
 * @throws Error naming the first invalid or duplicated rule and the zod issues.
 */
export function parseRuleData(data: readonly unknown[]): readonly CatalogRule[] {
  const out: CatalogRule[] = [];
  const seen = new Set<string>();
  data.forEach((raw, index) => {
    const result = RuleSchema.safeParse(raw);
    const name =
      typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : `#${index}`;
    if (!result.success) {
      throw new Error(`spec: invalid rule ${name}: ${describeIssues(result.error)}`);
    }
    if (seen.has(result.data.id)) {
      throw new Error(`spec: duplicate rule id ${result.data.id}`);
    }
    seen.add(result.data.id);
    out.push(Object.freeze(result.data) as CatalogRule);
  });
  return Object.freeze(out);
}

/**
 * Validates raw ambiguity decisions with {@link AmbiguityDecisionSchema}, checks that every
 * referenced rule id is in `ruleIds`, and that A1–A16 each have exactly one decision.
 * Used at module load for {@link AMBIGUITIES}; exported for tests and tools.
 * @throws Error naming the invalid decision.
 */
export function parseAmbiguityData(
  data: readonly unknown[],
  ruleIds: ReadonlySet<string>,
): readonly CatalogAmbiguityDecision[] {
  const out: CatalogAmbiguityDecision[] = [];
  data.forEach((raw, index) => {
    const result = AmbiguityDecisionSchema.safeParse(raw);
    const name =
      typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : `#${index}`;
    if (!result.success) {
      throw new Error(`spec: invalid ambiguity decision ${name}: ${describeIssues(result.error)}`);
    }
    const unknown = result.data.rules.filter((r) => !ruleIds.has(r));
    if (unknown.length > 0) {
      throw new Error(`spec: ambiguity decision ${name} names unknown rule(s) ${unknown.join(', ')}`);
    }
    out.push(Object.freeze(result.data) as CatalogAmbiguityDecision);
  });
  const ids = out.map((a) => a.id);
  const missing = AMBIGUITY_IDS.filter((id) => ids.filter((x) => x === id).length !== 1);
  if (missing.length > 0) {
    throw new Error(`spec: each ambiguity needs exactly one decision; missing or duplicated: ${missing.join(', ')}`);
  }
  return Object.freeze(out);
}

/**
 * Every rule of the catalog, validated against {@link RuleSchema} at module load, in family
 * order (see {@link RULE_FAMILIES}). Frozen.
 */
export const RULES: readonly CatalogRule[] = parseRuleData(RULE_DATA);

const RULES_BY_ID: ReadonlyMap<string, CatalogRule> = new Map(RULES.map((r) => [r.id, r]));

/**
 * The suite's decision on each ambiguity A1–A16, validated at module load; each decision's
 * `rules` are checked to exist in {@link RULES}. Frozen, in id order.
 */
export const AMBIGUITIES: readonly CatalogAmbiguityDecision[] = parseAmbiguityData(
  AMBIGUITY_DATA,
  new Set(RULES_BY_ID.keys()),
);

/** Whether `id` is the id of a rule in the catalog. */
export function isRuleId(id: string): id is RuleId {
  return RULES_BY_ID.has(id);
}

/**
 * The rule with the given id.
 * @throws Error if `id` is not in the catalog (only possible when called with an unchecked string).
 */
export function ruleById(id: RuleId): CatalogRule {
  const rule = RULES_BY_ID.get(id);
  if (rule === undefined) throw new Error(`spec: unknown rule id ${String(id)}`);
  return rule;
}

/** The rules of one family, in catalog order. */
export function rulesByFamily(family: RuleFamily): readonly CatalogRule[] {
  return RULES.filter((r) => r.family === family);
}

/** The decision on one ambiguity. */
export function ambiguityById(id: AmbiguityId): CatalogAmbiguityDecision {
  const decision = AMBIGUITIES.find((a) => a.id === id);
  if (decision === undefined) throw new Error(`spec: no decision for ambiguity ${id}`);
  return decision;
}

