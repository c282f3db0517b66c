/**
 * Zod schemas and types for the netdma-conformance rule catalog.
 *
 * A {@link Rule} is one checkable requirement on a NetDMA provider driver, traced to the
 * numbered facts of `shared/wdk-netdma/FACTS.md` and to the Microsoft doc pages saved
 * beside it. An {@link AmbiguityDecision} records how the suite resolves one of the
 * ambiguities A1–A16 indexed at the end of FACTS.md.
 *
 * @packageDocumentation
 */
import * as z from 'zod';

/** Pattern every rule id follows, e.g. `PNP-START-04`, `NDMA-DP-12`, `PWR-01`. */
export const RULE_ID_PATTERN = /^[A-Z]+(-[A-Z]+)*-\d{2}$/;

/** Pattern of a fact id of FACTS.md, e.g. `F11b`, `F113`. */
export const FACT_ID_PATTERN = /^F\d+[a-z]?$/;

/**
 * Pattern of a cited doc file: a path relative to `shared/wdk-netdma/`, inside one of
 * the saved doc folders, e.g. `conceptual/stopping-a-netdma-provider.md`.
 */
export const DOC_PATH_PATTERN = /^(conceptual|ddi|wdm-pnp)\/([a-z0-9_.()-]+\/)*[a-z0-9_.()-]+\.md$/;

/**
 * How binding a rule is.
 * - `MUST`: a sentence of a saved Microsoft page says must / must not, and the rule carries it as
 *   its {@link Rule.quote} (the quote contains "must"). A rule that rests on an ambiguity decision is
 *   never MUST.
 * - `SHOULD`: the quoted sentence says should; a violation is reported (status `fail`, listed in the report's
 *   `warnings`) but is not a conformance failure by itself — under `--should-warn`. By default a
 *   run is strict and a SHOULD failure fails it like any other (every failure ends the work unit
 *   it happened in, so only a strict verdict is backed by the full number of runs).
 * - `DERIVED`: the suite's reading: the docs imply it ([INFERENCE] in FACTS.md), resolve nothing on it
 *   (an ambiguity decision in `spec/ambiguities.ts`), or the kernel behaviour it holds to is what
 *   Windows / Driver Verifier does on a DDI page not among the saved sources. A DERIVED rule names its
 *   decision: non-empty `ambiguities`, or a {@link Rule.reading}.
 */
export const RULE_LEVELS = ['MUST', 'SHOULD', 'DERIVED'] as const;

/** Zod schema of {@link RuleLevel}. */
export const RuleLevelSchema = z.enum(RULE_LEVELS);

/** How binding a rule is; see {@link RULE_LEVELS}. */
export type RuleLevel = z.infer<typeof RuleLevelSchema>;

/**
 * Rule families, in catalog order: the driver's life cycle (DriverEntry through Unload),
 * power, cross-cutting kernel rules (IRQL, IRPs, kernel API use), channel life cycle,
 * and the copy data path (descriptors, interrupts, DCA).
 */
export const RULE_FAMILIES = [
  'driver-entry',
  'add-device',
  'register',
  'filter-resources',
  'start',
  'stop',
  'remove',
  'surprise-removal',
  'unload',
  'power',
  'irql',
  'irp',
  'kernel-api',
  'channel',
  'data-path',
  'interrupt',
  'dca',
  'low-resources',
] as const;

/** Zod schema of {@link RuleFamily}. */
export const RuleFamilySchema = z.enum(RULE_FAMILIES);

/** The family a rule belongs to; see {@link RULE_FAMILIES}. */
export type RuleFamily = z.infer<typeof RuleFamilySchema>;

/**
 * Names of the suite's checkers, used in {@link Rule.checkedBy}.
 * - `kernel-verifier`: checked at the call by the simulated kernel / NetDMA (Driver Verifier style).
 * - `lifecycle-model`: checked per IRP by comparing the provider's behaviour with the PnP model.
 * - `unload-audit`: checked at or after Unload (or after a failed DriverEntry): leaks and leftovers.
 * - `datapath-property`: checked by the copy workloads against the reference engine model.
 * - `interrupt-property`: checked by the interrupt / DPC properties.
 */
export const CHECKERS = [
  'kernel-verifier',
  'lifecycle-model',
  'unload-audit',
  'datapath-property',
  'interrupt-property',
] as const;

/** Zod schema of {@link Checker}. */
export const CheckerSchema = z.enum(CHECKERS);

/** Name of a checker; see {@link CHECKERS}. */
export type Checker = z.infer<typeof CheckerSchema>;

/** NetDMA versions a provider can register as (NET_DMA_PROVIDER_CHARACTERISTICS.MajorVersion.MinorVersion). */
export const INTERFACE_VERSIONS = ['1.0', '1.1', '2.0'] as const;

/** Zod schema of {@link InterfaceVersion}. */
export const InterfaceVersionSchema = z.enum(INTERFACE_VERSIONS);

/** A NetDMA version; see {@link INTERFACE_VERSIONS}. */
export type InterfaceVersion = z.infer<typeof InterfaceVersionSchema>;

/** Ids of the ambiguities indexed at the end of FACTS.md. */
export const AMBIGUITY_IDS = [
  'A1',
  'A2',
  'A3',
  'A4',
  'A5',
  'A6',
  'A7',
  'A8',
  'A9',
  'A10',
  'A11',
  'A12',
  'A13',
  'A14',
  'A15',
  'A16',
] as const;

/** Zod schema of {@link AmbiguityId}. */
export const AmbiguityIdSchema = z.enum(AMBIGUITY_IDS);

/** An ambiguity id, `A1` … `A16`. */
export type AmbiguityId = z.infer<typeof AmbiguityIdSchema>;

/** Zod schema of a fact id such as `F11b` (format only; existence is checked by the tests). */
export const FactIdSchema = z.string().regex(FACT_ID_PATTERN, 'a fact id looks like F11 or F11b');

/** Zod schema of a cited doc path (format only; existence is checked by the tests). */
export const DocPathSchema = z
  .string()
  .regex(DOC_PATH_PATTERN, 'a doc path is relative to shared/wdk-netdma/, e.g. conceptual/stopping-a-netdma-provider.md');

/**
 * A statement is one sentence: it starts with a capital letter (the actor, e.g. "The provider",
 * "The FDO", "AddDevice"), ends with a period, and has no sentence break (". " followed by a capital) inside.
 */
export const StatementSchema = z
  .string()
  .min(20)
  .refine((s) => /^[A-Z]/.test(s), 'the statement starts with the actor, capitalised')
  .refine((s) => s.endsWith('.'), 'the statement ends with a period')
  .refine((s) => !/[.!?]\s+[A-Z][a-z]/.test(s.slice(0, -1)), 'the statement is a single sentence')
  .refine((s) => s.trim() === s && !/\s{2,}/.test(s), 'the statement has no stray whitespace');

/**
 * The sentence of a saved Microsoft page that makes a rule binding: the page (relative to
 * `shared/wdk-netdma/`, under `conceptual/`, `ddi/` or `wdm-pnp/`) and the sentence, or the shortest
 * self-contained part of it, as the page has it (markdown emphasis, links and HTML tags are ignored
 * when it is compared with the page, see `spec/quotes.ts`).
 */
export const RuleQuoteSchema = z.strictObject({
  doc: DocPathSchema,
  text: z
    .string()
    .min(12)
    .refine((s) => s.trim() === s && !/\s{2,}/.test(s), 'the quote has no stray whitespace'),
});

/** The binding sentence of a rule; see {@link RuleQuoteSchema}. */
export type RuleQuote = z.infer<typeof RuleQuoteSchema>;

/** Whether a quote says what its level needs: "must" (MUST, "must not" included) or "should" (SHOULD). */
export function quoteFitsLevel(level: RuleLevel, text: string): boolean {
  if (level === 'MUST') return /\bmust\b/i.test(text);
  if (level === 'SHOULD') return /\bshould\b/i.test(text);
  return true;
}

/** Zod schema of a {@link Rule}. Unknown keys are rejected. */
export const RuleSchema = z.strictObject({
  /** Stable id, e.g. `PNP-STOP-02`. Other code references these ids; never rename one. */
  id: z.string().regex(RULE_ID_PATTERN, 'a rule id looks like PNP-START-04'),
  family: RuleFamilySchema,
  level: RuleLevelSchema,
  /** One sentence that starts with the actor. */
  statement: StatementSchema,
  sources: z.strictObject({
    /** FACTS.md fact ids, at least one. */
    facts: z.array(FactIdSchema).min(1),
    /** Doc files relative to shared/wdk-netdma/, at least one. */
    docs: z.array(DocPathSchema).min(1),
  }),
  /** Names of the checkers that check this rule. */
  checkedBy: z.array(CheckerSchema).min(1),
  /** Ambiguities this rule depends on (the suite's decision is encoded in the rule). */
  ambiguities: z.array(AmbiguityIdSchema),
  /**
   * NetDMA versions the provider registers as for which the rule applies; omitted = all versions.
   */
  interfaceVersions: z.array(InterfaceVersionSchema).min(1).optional(),
  /**
   * The sentence that makes the rule binding; required for MUST (it says must) and SHOULD (it says
   * should). A DERIVED rule may carry the sentence it reads, with no requirement on its wording.
   */
  quote: RuleQuoteSchema.optional(),
  /**
   * For a DERIVED rule: one or two sentences saying what the suite reads, why, and what real
   * Windows / Driver Verifier does. Required for a DERIVED rule that names no ambiguity.
   */
  reading: z.string().min(20).optional(),
}).superRefine((rule, ctx) => {
  if (rule.level === 'MUST' || rule.level === 'SHOULD') {
    if (rule.quote === undefined) {
      ctx.addIssue({ code: 'custom', path: ['quote'], message: `a ${rule.level} rule quotes the sentence that makes it binding` });
    } else if (!quoteFitsLevel(rule.level, rule.quote.text)) {
      ctx.addIssue({ code: 'custom', path: ['quote', 'text'], message: `the quote of a ${rule.level} rule says "${rule.level.toLowerCase()}"` });
    }
  }
  if (rule.level === 'MUST' && rule.ambiguities.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['ambiguities'], message: 'a MUST rule rests on no ambiguity decision: a rule that does is DERIVED' });
  }
  if (rule.level === 'DERIVED' && rule.ambiguities.length === 0 && rule.reading === undefined) {
    ctx.addIssue({ code: 'custom', path: ['reading'], message: 'a DERIVED rule names its decision: an ambiguity or a reading' });
  }
});

/** A validated rule of the catalog. */
export type Rule = z.infer<typeof RuleSchema>;

/**
 * The shape rule data is written in (`spec/rules/*.ts`): the same fields as {@link Rule}, but
 * readonly so that the `as const` literals keep their literal ids.
 */
export interface RuleInput {
  readonly id: string;
  readonly family: RuleFamily;
  readonly level: RuleLevel;
  readonly statement: string;
  readonly sources: {
    readonly facts: readonly `F${string}`[];
    readonly docs: readonly `${'conceptual' | 'ddi' | 'wdm-pnp'}/${string}.md`[];
  };
  readonly checkedBy: readonly Checker[];
  readonly ambiguities: readonly AmbiguityId[];
  readonly interfaceVersions?: readonly InterfaceVersion[];
  readonly quote?: { readonly doc: `${'conceptual' | 'ddi' | 'wdm-pnp'}/${string}.md`; readonly text: string };
  readonly reading?: string;
}

/** Zod schema of an {@link AmbiguityDecision}. Unknown keys are rejected. */
export const AmbiguityDecisionSchema = z.strictObject({
  id: AmbiguityIdSchema,
  /** Short name of the ambiguity. */
  title: z.string().min(3),
  /** The open question, as the docs leave it. */
  question: z.string().min(10),
  /** What this suite does. */
  decision: z.string().min(10),
  /** Why, as a kernel engineer would argue it. */
  rationale: z.string().min(10),
  /** FACTS.md fact ids the ambiguity concerns. */
  facts: z.array(FactIdSchema).min(1),
  /** Ids of the rules that encode the decision. */
  rules: z.array(z.string().regex(RULE_ID_PATTERN)).min(1),
});

/** How the suite resolves one ambiguity of FACTS.md. */
export type AmbiguityDecision = z.infer<typeof AmbiguityDecisionSchema>;

/** The shape ambiguity decisions are written in (`spec/ambiguities.ts`), readonly. */
export interface AmbiguityDecisionInput {
  readonly id: AmbiguityId;
  readonly title: string;
  readonly question: string;
  readonly decision: string;
  readonly rationale: string;
  readonly facts: readonly `F${string}`[];
  readonly rules: readonly string[];
}
