/**
 * The conformance report: the one data structure every report format is written from.
 *
 * A run of the suite against a candidate provider driver produces one
 * {@link ConformanceReport}; the writers in this folder turn it into JSON, JUnit XML,
 * Markdown, SARIF and HTML, and {@link mergeReports} combines the reports of a sharded run.
 *
 * The schema is versioned by {@link ConformanceReport.schemaVersion}; unknown keys are
 * dropped when a report is parsed, so a reader can read a report of its version written by a
 * newer tool that added optional fields. Version 2 changed what the verdict means (a failed
 * `SHOULD` rule is a warning unless the run was strict, see `./verdict`) and added `strict`
 * and `warnings`; version 1 reports still parse (as if strict: every failure failed the
 * verdict, and without warnings).
 *
 * @module
 */
import * as z from 'zod';
import type { TraceEvent, TraceEventKind } from '../trace/trace-event';
import { failsVerdict, warningRuleIds } from './verdict';
import { RULE_LEVELS, RULE_STATUSES, VERDICTS, type RuleLevel, type RuleStatus, type Verdict } from './vocabulary';

/** The tool's name as it appears in every report. */
export const TOOL_NAME = 'netdma-conformance';

/** The report schema version this module writes. */
export const SCHEMA_VERSION = 2;

/** Report schema versions this module reads (version 1: before `strict` and `warnings`). */
export const READABLE_SCHEMA_VERSIONS = [1, SCHEMA_VERSION] as const;

/** NetDMA interface versions a run can check a provider against. */
export const INTERFACE_VERSIONS = ['1.0', '1.1', '2.0'] as const;

/** A NetDMA interface version. */
export type InterfaceVersion = (typeof INTERFACE_VERSIONS)[number];

export { RULE_LEVELS, RULE_STATUSES, VERDICTS, type RuleLevel, type RuleStatus, type Verdict };

// A Record keyed by the union makes the compiler check that the list below is complete.
const TRACE_EVENT_KIND_SET: Readonly<Record<TraceEventKind, true>> = {
  irp: true,
  call: true,
  handler: true,
  return: true,
  register: true,
  engine: true,
  interrupt: true,
  dpc: true,
  client: true,
  violation: true,
  note: true,
};

/** Every {@link TraceEventKind}, in the order reports list them (e.g. in legends). */
export const TRACE_EVENT_KINDS = Object.keys(TRACE_EVENT_KIND_SET) as readonly TraceEventKind[];

const nonNegativeInt = () => z.number().int().min(0);

/**
 * A {@link TraceEvent} as stored in a report. `detail` must be plain JSON data
 * (finite numbers, strings, booleans, null, arrays and objects of those).
 */
export const TraceEventSchema = z.object({
  /** Position in the run, from 0. */
  seq: nonNegativeInt(),
  /** What kind of step this is. */
  kind: z.enum(TRACE_EVENT_KINDS as [TraceEventKind, ...TraceEventKind[]]),
  /** One human-readable line. */
  text: z.string(),
  /** Simulated processor, when meaningful. */
  cpu: nonNegativeInt().optional(),
  /** IRQL at the time, when meaningful. */
  irql: nonNegativeInt().optional(),
  /** Plain JSON data. */
  detail: z.record(z.string(), z.json()).optional(),
}) as unknown as z.ZodType<TraceEvent>;
// The cast keeps the report's counterexample typed exactly as the trace's own TraceEvent
// (zod would infer `cpu?: number | undefined` and JSON-typed `detail`, which a TraceEvent
// taken from a run is not assignable to under exactOptionalPropertyTypes).

/** Where a failure was detected in the candidate's source (1-based line and column). */
export const SourceLocationSchema = z.object({
  /** Path of the source file: absolute, a `file:` URL, or relative to the directory the check ran in (as the candidate's path is). */
  file: z.string().min(1),
  /** 1-based line. */
  line: z.number().int().min(1),
  /** 1-based column. */
  column: z.number().int().min(1),
});

/** The shrunk evidence that a rule was broken, and how to reproduce it. */
export const RuleFailureSchema = z.object({
  /** What went wrong, one or a few lines. */
  message: z.string(),
  /** Interface version the failing scenario ran under. */
  interfaceVersion: z.enum(INTERFACE_VERSIONS),
  /** Name of the property (model-based test) that found the failure. */
  property: z.string(),
  /** The shrunk counterexample as a timeline. */
  counterexample: z.array(TraceEventSchema),
  /** The shrunk command / IRP sequence, one line each. */
  steps: z.array(z.string()),
  /** Opaque replay token (fast-check seed and path). */
  replay: z.string(),
  /** A shell command that replays exactly this failure. */
  replayCommand: z.string(),
  /** How many runs it took to find the failure. */
  numRunsToFailure: z.number().int().min(1).optional(),
  /** How many shrink steps were taken. */
  shrinks: nonNegativeInt().optional(),
  /** Where in the candidate's source the failure was detected, when known. */
  location: SourceLocationSchema.optional(),
});

/** Where a rule comes from. */
export const RuleSourcesSchema = z.object({
  /** Ids of the spec facts the rule is built from. */
  facts: z.array(z.string()),
  /** Documentation pages (file names such as `starting-a-netdma-provider.md`, or https URLs). */
  docs: z.array(z.string()),
});

/**
 * What a failure of the rule breaks. `documentation`: a MUST or SHOULD rule, with the sentence of the
 * Microsoft page that makes it binding. `reading`: a DERIVED rule, with the suite's decision — the
 * ambiguities it rests on (id and title) and/or the suite's reading in a sentence or two.
 */
export const RuleBindingSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('documentation'),
    /** The page, relative to the saved documentation (`shared/wdk-netdma/`). */
    doc: z.string().min(1),
    /** The sentence, as the page has it. */
    quote: z.string().min(1),
  }),
  z.object({
    kind: z.literal('reading'),
    /** Ambiguity decisions the rule rests on (see the report's `ambiguities`). */
    ambiguities: z.array(z.object({ id: z.string().min(1), title: z.string() })),
    /** The suite's reading, when the rule names one. */
    reading: z.string().optional(),
  }),
]);

/** A waiver applied to a rule's failure: the team's written reason, and when the waiver expires. */
export const RuleWaiverSchema = z.object({
  /** Why the team waives the rule (from the waiver file). */
  reason: z.string().min(1),
  /** `YYYY-MM-DD`: the last day the waiver applies, when the file sets one. */
  expires: z.string().optional(),
});

/** The result of one conformance rule. */
export const RuleResultSchema = z.object({
  /** Stable rule id, e.g. `PNP-START-003`. Unique within a report. */
  id: z.string().min(1),
  /** Rule family, e.g. `pnp`, `channel`, `dma`. Reports group rules by family. */
  family: z.string().min(1),
  /** Strength of the rule. */
  level: z.enum(RULE_LEVELS),
  /** The rule in one sentence. */
  statement: z.string(),
  /** Outcome. `fail` if and only if `failure` is present. */
  status: z.enum(RULE_STATUSES),
  /** Where the rule comes from. */
  sources: RuleSourcesSchema,
  /** How many times the rule's check ran. */
  exercised: nonNegativeInt(),
  /** Present exactly when `status` is `fail` or `waived`. */
  failure: RuleFailureSchema.optional(),
  /** What a failure of the rule breaks: the documentation (MUST/SHOULD) or the suite's reading (DERIVED). Absent in older reports. */
  binding: RuleBindingSchema.optional(),
  /** Present exactly when `status` is `waived`: the waiver that applies. */
  waiver: RuleWaiverSchema.optional(),
});

/** How a waiver of the waiver file fared in the run. */
export const WAIVER_STATES = ['applied', 'unused', 'expired'] as const;

/** One entry of the waiver file as the report shows it. */
export const ReportWaiverSchema = z.object({
  /** The rule waived. */
  rule: z.string().min(1),
  /** The team's written reason. */
  reason: z.string().min(1),
  /** `YYYY-MM-DD`, when set. */
  expires: z.string().optional(),
  /**
   * `applied`: the rule failed and its failure is shown as waived; `unused`: the rule did not fail
   * (not an error); `expired`: the run started after `expires`, so the waiver did not apply.
   */
  state: z.enum(WAIVER_STATES),
});

/** The waiver file a run used. */
export const ReportWaiversSchema = z.object({
  /** The file, as found (`--waivers FILE`, or the nearest `netdma-conformance.json` above the candidate). */
  file: z.string().min(1),
  /** `sha256:<hex>` of the file's bytes: shards merge only with the same file. */
  sha256: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** Every entry of the file, in file order. */
  entries: z.array(ReportWaiverSchema),
});

/** A decision taken where the documentation is ambiguous; shown in every human-facing report. */
export const AmbiguitySchema = z.object({
  /** Stable id, e.g. `AMB-007`. */
  id: z.string().min(1),
  /** The question, in a few words. */
  title: z.string(),
  /** What the suite assumes, and why. */
  decision: z.string(),
});

/** One transition of the PnP state model and how often runs took it. */
export const TransitionCoverageSchema = z.object({
  /** Source state. */
  from: z.string(),
  /** Event (usually an IRP minor code) that causes the transition. */
  event: z.string(),
  /** Target state. */
  to: z.string(),
  /** How many times runs took the transition; 0 = not covered. */
  covered: nonNegativeInt(),
});

/**
 * One machine configuration value runs used (issue 13): `dimension` channels (the engine's CHANCNT),
 * cpus (processors), interrupts (msix, msi, line), memory (below-4GiB, above-4GiB) or xfercap
 * (log2 of the engine's largest transfer), and how many runs had it.
 */
export const MachineCoverageSchema = z.object({
  dimension: z.enum(['channels', 'cpus', 'interrupts', 'memory', 'xfercap']),
  value: z.string().min(1),
  /** Runs made on a machine with this value (at least 1: values never used are not listed). */
  runs: z.number().int().min(1),
});

/** Coverage figures. The counts must agree with `rules` and `transitions`. */
export const CoverageSchema = z.object({
  /** Rules whose status is not `not-exercised`. */
  rulesExercised: nonNegativeInt(),
  /** Number of rules in the report. */
  rulesTotal: nonNegativeInt(),
  /** Transitions with `covered > 0`. */
  transitionsCovered: nonNegativeInt(),
  /** Number of transitions listed. */
  transitionsTotal: nonNegativeInt(),
  /** Every transition of the PnP state model, covered or not. */
  transitions: z.array(TransitionCoverageSchema),
  /**
   * The machine configurations the runs used, per dimension (in the order channels, cpus,
   * interrupts, memory, xfercap) and value; absent in reports written before machines were drawn.
   */
  machines: z.array(MachineCoverageSchema).optional(),
  /** Line coverage of the candidate's code, when measured. */
  code: z
    .object({
      /** Percentage of lines executed, 0–100. */
      linesPct: z.number().min(0).max(100),
      /** Directory the percentage is about. */
      dir: z.string(),
    })
    .optional(),
});

/** A harness or candidate-load error. */
export const ReportErrorSchema = z.object({
  /** One line. */
  message: z.string(),
  /** Stack trace or further text. */
  detail: z.string().optional(),
});

const ReportObjectSchema = z.object({
  /** Report schema version: {@link SCHEMA_VERSION} when written by this tool, 1 for older reports. */
  schemaVersion: z.literal(READABLE_SCHEMA_VERSIONS),
  /** The tool that wrote the report. */
  tool: z.object({
    /** Always `netdma-conformance`. */
    name: z.literal(TOOL_NAME),
    /** The tool's version. */
    version: z.string(),
  }),
  /** Overall outcome. */
  verdict: z.enum(VERDICTS),
  /**
   * Whether the run was strict (the default; false under `--should-warn`): failed SHOULD rules fail the verdict too.
   * Absent in older reports (read as `false`; a version 1 report is judged as if strict).
   */
  strict: z.boolean().default(false),
  /**
   * Ids of the failed SHOULD rules that did not fail the verdict (a non-strict run), in rule
   * order: warnings. Each is still a rule with status `fail` and its failure. Empty in a strict run.
   */
  warnings: z.array(z.string()).default([]),
  /** The waiver file the run used; absent when none was found or `--no-waivers` was given. */
  waivers: ReportWaiversSchema.optional(),
  /** Present when the run was cut short (SIGINT, watchdog): the figures cover only what ran. */
  incomplete: z
    .object({
      /** Why the run stopped early. */
      reason: z.string(),
    })
    .optional(),
  /** The provider driver under test. */
  candidate: z.object({
    /** Path of the candidate's entry file, as given on the command line. */
    path: z.string().min(1),
    /** Display name. */
    name: z.string(),
    /**
     * `sha256:<hex>` of the candidate's source: its entry file and the files it loads through
     * relative imports (see the runner's `hashCandidate`). Absent in older reports.
     */
    hash: z.string().optional(),
  }),
  /** Interface versions the run checked, without repeats. */
  interfaceVersions: z.array(z.enum(INTERFACE_VERSIONS)).min(1),
  /** fast-check seed of the run. */
  seed: z.number().int(),
  /** Number of property runs performed. */
  runs: nonNegativeInt(),
  /**
   * What the run was asked to do, beyond seed and interface versions: shards of one run must agree
   * on it to be merged. Absent in older reports.
   */
  options: z
    .object({
      /** Runs asked for per property and interface version (`--runs`). */
      runs: z.number().int().min(1),
      /** The properties run. */
      properties: z.array(z.string()),
      /** `--fail-fast`: each work unit stopped at its first failure. */
      failFast: z.boolean(),
    })
    .optional(),
  /**
   * Present when the report is of a replay (`check --replay`): one run of one counterexample, not
   * a conformance verdict. A replay that does not reproduce a failure is an error, never a pass.
   */
  replay: z
    .object({
      /** The token replayed. */
      token: z.string(),
      /** The rule the token recorded (absent for `ndc1.` tokens, which record none). */
      rule: z.string().optional(),
      /** Whether the replayed run failed (with the token's rule, when it names one). */
      reproduced: z.boolean(),
    })
    .optional(),
  /**
   * Present on a merge of only some shards of a run (`mergeReports(…, { partial: true })`): which
   * shards it holds. Such a report is not the run's verdict; the CLI's `merge` never writes one.
   */
  shards: z
    .object({
      /** Number of shards of the run. */
      count: z.number().int().min(1),
      /** 0-based indices of the shards merged, ascending. */
      indices: z.array(nonNegativeInt()),
    })
    .optional(),
  /** Which shard of a sharded run this report is (0-based `index` < `count`). */
  shard: z
    .object({
      /** 0-based shard index. */
      index: nonNegativeInt(),
      /** Number of shards. */
      count: z.number().int().min(1),
    })
    .optional(),
  /** ISO 8601 date-time the run started. */
  startedAt: z.iso.datetime({ offset: true }),
  /** Wall-clock duration in milliseconds. */
  durationMs: z.number().min(0),
  /** Where the run happened. */
  environment: z.object({
    /** Node.js version. */
    node: z.string(),
    /** `process.platform`-like string. */
    platform: z.string(),
  }),
  /** One entry per rule, in the spec's order. */
  rules: z.array(RuleResultSchema),
  /** Decisions taken on ambiguous documentation. */
  ambiguities: z.array(AmbiguitySchema),
  /** Coverage figures. */
  coverage: CoverageSchema,
  /** Harness / candidate-load errors; non-empty exactly when the verdict is `error`. */
  errors: z.array(ReportErrorSchema),
});

/** Checks that need the whole report: consistency of verdict, statuses and counts. */
function checkConsistency(report: z.infer<typeof ReportObjectSchema>, ctx: z.RefinementCtx): void {
  const versions = new Set<string>();
  report.interfaceVersions.forEach((v, i) => {
    if (versions.has(v)) ctx.addIssue({ code: 'custom', path: ['interfaceVersions', i], message: `interface version ${v} is listed twice` });
    versions.add(v);
  });
  if (report.shard !== undefined && report.shard.index >= report.shard.count) {
    ctx.addIssue({ code: 'custom', path: ['shard', 'index'], message: `shard index ${report.shard.index} is not below shard count ${report.shard.count}` });
  }
  if (report.shards !== undefined) {
    if (report.shard !== undefined) ctx.addIssue({ code: 'custom', path: ['shards'], message: 'a report is one shard (shard) or a partial merge (shards), not both' });
    const { count, indices } = report.shards;
    if (indices.some((x, i) => x >= count || (i > 0 && x <= indices[i - 1]!))) ctx.addIssue({ code: 'custom', path: ['shards', 'indices'], message: `must be ascending shard indices below ${count}` });
  }
  if (!Number.isFinite(Date.parse(report.startedAt))) {
    ctx.addIssue({ code: 'custom', path: ['startedAt'], message: 'not a real date' });
  }
  const ids = new Set<string>();
  let exercised = 0;
  report.rules.forEach((rule, i) => {
    if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id ${rule.id} is listed twice` });
    ids.add(rule.id);
    const failed = rule.status === 'fail' || rule.status === 'waived';
    if (failed !== (rule.failure !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', i, 'failure'],
        message: failed ? `a ${rule.status === 'fail' ? 'failed' : 'waived'} rule needs a failure` : `a rule with status ${rule.status} cannot have a failure`,
      });
    }
    if ((rule.status === 'waived') !== (rule.waiver !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['rules', i, 'waiver'], message: rule.status === 'waived' ? 'a waived rule needs its waiver' : `a rule with status ${rule.status} cannot have a waiver` });
    }
    if (rule.status === 'waived') {
      const entry = report.waivers?.entries.find((w) => w.rule === rule.id);
      if (entry?.state !== 'applied') ctx.addIssue({ code: 'custom', path: ['rules', i, 'status'], message: `rule ${rule.id} is waived, but the report's waiver file has no applied waiver for it` });
    }
    if (rule.status !== 'not-exercised') exercised++;
  });
  report.waivers?.entries.forEach((w, i) => {
    const rule = report.rules.find((r) => r.id === w.rule);
    if (w.state === 'applied' && rule?.status !== 'waived') ctx.addIssue({ code: 'custom', path: ['waivers', 'entries', i, 'state'], message: `waiver of ${w.rule} is applied, but that rule is not waived` });
    if (w.state !== 'applied' && rule?.status === 'waived') ctx.addIssue({ code: 'custom', path: ['waivers', 'entries', i, 'state'], message: `waiver of ${w.rule} is ${w.state}, but that rule is waived` });
  });
  const ambiguityIds = new Set<string>();
  report.ambiguities.forEach((a, i) => {
    if (ambiguityIds.has(a.id)) ctx.addIssue({ code: 'custom', path: ['ambiguities', i, 'id'], message: `ambiguity id ${a.id} is listed twice` });
    ambiguityIds.add(a.id);
  });
  const cov = report.coverage;
  const expect = (key: 'rulesExercised' | 'rulesTotal' | 'transitionsCovered' | 'transitionsTotal', value: number) => {
    if (cov[key] !== value) ctx.addIssue({ code: 'custom', path: ['coverage', key], message: `is ${cov[key]} but the report has ${value}` });
  };
  expect('rulesExercised', exercised);
  expect('rulesTotal', report.rules.length);
  expect('transitionsCovered', cov.transitions.filter((t) => t.covered > 0).length);
  expect('transitionsTotal', cov.transitions.length);
  const keys = new Set<string>();
  cov.transitions.forEach((t, i) => {
    const key = transitionKey(t);
    if (keys.has(key)) ctx.addIssue({ code: 'custom', path: ['coverage', 'transitions', i], message: `transition ${t.from} --${t.event}--> ${t.to} is listed twice` });
    keys.add(key);
  });
  if ((report.verdict === 'error') !== report.errors.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['errors'],
      message: report.verdict === 'error' ? "verdict 'error' needs at least one error" : `verdict '${report.verdict}' cannot have errors`,
    });
  }
  // Version 1 reports predate warnings: every failed rule failed the verdict, as in a strict run.
  const strict = report.strict || report.schemaVersion === 1;
  const blocking = report.rules.filter((r) => failsVerdict(r, strict)).length;
  if (report.verdict === 'conformant' && blocking > 0) {
    ctx.addIssue({ code: 'custom', path: ['verdict'], message: `verdict 'conformant' but ${blocking} rule(s) failed that fail the verdict` });
  }
  if (report.verdict === 'nonconformant' && blocking === 0) {
    ctx.addIssue({ code: 'custom', path: ['verdict'], message: `verdict 'nonconformant' but no rule failed that fails the verdict${strict ? '' : ' (failed SHOULD rules are warnings unless strict)'}` });
  }
  const warnings = warningRuleIds(report.rules, strict);
  if (report.warnings.length !== warnings.length || report.warnings.some((w, i) => w !== warnings[i])) {
    ctx.addIssue({ code: 'custom', path: ['warnings'], message: `must list the failed SHOULD rules of a non-strict run in rule order: [${warnings.join(', ')}]` });
  }
}

/** Identity of a transition: `(from, event, to)`. */
export function transitionKey(t: { readonly from: string; readonly event: string; readonly to: string }): string {
  return JSON.stringify([t.from, t.event, t.to]);
}

/**
 * Zod schema of a conformance report, including the cross-field checks
 * (unique rule ids, `failure` present exactly for failed rules, verdict consistent with
 * rules and errors, coverage counts consistent with the lists).
 */
export const ConformanceReportSchema = ReportObjectSchema.superRefine(checkConsistency);

/** A conformance report (schema version 2, or 1 as read). See {@link ConformanceReportSchema}. */
export type ConformanceReport = z.infer<typeof ConformanceReportSchema>;
/** One rule's result. */
export type RuleResult = z.infer<typeof RuleResultSchema>;
/** A failed rule's evidence. */
export type RuleFailure = z.infer<typeof RuleFailureSchema>;
/** What a failure of a rule breaks. */
export type RuleBinding = z.infer<typeof RuleBindingSchema>;
/** The waiver applied to a waived rule. */
export type RuleWaiver = z.infer<typeof RuleWaiverSchema>;
/** One waiver of the file, as the report shows it. */
export type ReportWaiver = z.infer<typeof ReportWaiverSchema>;
/** The waiver file a run used. */
export type ReportWaivers = z.infer<typeof ReportWaiversSchema>;
/** A source position in the candidate. */
export type SourceLocation = z.infer<typeof SourceLocationSchema>;
/** A decision on ambiguous documentation. */
export type Ambiguity = z.infer<typeof AmbiguitySchema>;
/** One covered or uncovered PnP transition. */
export type TransitionCoverage = z.infer<typeof TransitionCoverageSchema>;
/** One machine configuration value and the runs that used it. */
export type MachineCoverage = z.infer<typeof MachineCoverageSchema>;
/** Coverage figures. */
export type Coverage = z.infer<typeof CoverageSchema>;
/** A harness or candidate-load error. */
export type ReportError = z.infer<typeof ReportErrorSchema>;

/** Formats a zod issue path as `rules[3].failure.counterexample[0].kind`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates untrusted data (e.g. `JSON.parse` of a `conformance.json`) and returns it as a
 * {@link ConformanceReport}.
 *
 * @throws Error whose message names the first bad path, e.g.
 *   `invalid conformance report at rules[2].status: Invalid option: ...`.
 */
export function parseConformanceReport(json: unknown): ConformanceReport {
  const result = ConformanceReportSchema.safeParse(json);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first === undefined ? '(root)' : formatPath(first.path);
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more issue(s))` : '';
  throw new Error(`invalid conformance report at ${where}: ${first?.message ?? 'invalid'}${more}`);
}
