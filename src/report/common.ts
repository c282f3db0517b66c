/**
 * Helpers shared by the report writers (internal: not exported from the barrel).
 * @module
 */
import type { TraceEvent } from '../trace/trace-event';
import type { ConformanceReport, RuleFailure, RuleResult, RuleStatus } from './schema';

/** Replaces lone UTF-16 surrogates (which cannot be encoded as UTF-8) with U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Rules of one family, with per-status counts. */
export interface FamilyGroup {
  readonly family: string;
  readonly rules: readonly RuleResult[];
  readonly pass: number;
  readonly fail: number;
  readonly waived: number;
  readonly notExercised: number;
}

/** Groups rules by family, families in order of first appearance, rules in report order. */
export function groupByFamily(rules: readonly RuleResult[]): FamilyGroup[] {
  const groups = new Map<string, RuleResult[]>();
  for (const rule of rules) {
    let list = groups.get(rule.family);
    if (list === undefined) groups.set(rule.family, (list = []));
    list.push(rule);
  }
  return [...groups].map(([family, list]) => ({
    family,
    rules: list,
    pass: list.filter((r) => r.status === 'pass').length,
    fail: list.filter((r) => r.status === 'fail').length,
    waived: list.filter((r) => r.status === 'waived').length,
    notExercised: list.filter((r) => r.status === 'not-exercised').length,
  }));
}

/** Counts of rules per status. */
export function statusCounts(rules: readonly RuleResult[]): Record<RuleStatus, number> {
  const counts: Record<RuleStatus, number> = { pass: 0, fail: 0, waived: 0, 'not-exercised': 0 };
  for (const r of rules) counts[r.status]++;
  return counts;
}

/** Failed rules with their failure, in report order. */
export function failedRules(report: ConformanceReport): { rule: RuleResult; failure: RuleFailure }[] {
  const out: { rule: RuleResult; failure: RuleFailure }[] = [];
  for (const rule of report.rules) if (rule.status === 'fail' && rule.failure !== undefined) out.push({ rule, failure: rule.failure });
  return out;
}

/** Waived rules (failed, and waived by the team's waiver file) with their failure and waiver, in report order. */
export function waivedRules(report: ConformanceReport): { rule: RuleResult; failure: RuleFailure; reason: string }[] {
  const out: { rule: RuleResult; failure: RuleFailure; reason: string }[] = [];
  for (const rule of report.rules) {
    if (rule.status === 'waived' && rule.failure !== undefined && rule.waiver !== undefined) out.push({ rule, failure: rule.failure, reason: rule.waiver.reason });
  }
  return out;
}

/** `1 waiver`, `2 waivers`. */
function waiverCount(n: number): string {
  return `${n} waiver${n === 1 ? '' : 's'}`;
}

/**
 * What a failure of the rule breaks, in one line: `MUST — the documentation, <page>: "<sentence>"`,
 * `DERIVED — the suite's reading, A14: <title>` (or `: <reading>`), or just the level for a report
 * without the rule's binding (older reports).
 */
export function bindingLine(rule: Pick<RuleResult, 'level' | 'binding'>): string {
  const b = rule.binding;
  if (b === undefined) return rule.level;
  switch (b.kind) {
    case 'documentation':
      return `${rule.level} — the documentation, ${b.doc}: "${b.quote}"`;
    case 'reading': {
      const parts = b.ambiguities.map((a) => `${a.id}: ${a.title}`);
      if (b.reading !== undefined) parts.push(b.reading);
      return `${rule.level} — the suite's reading${parts.length > 0 ? `, ${parts.join('; ')}` : ''}`;
    }
    default: {
      const never: never = b;
      throw new Error(`unknown binding ${JSON.stringify(never)}`);
    }
  }
}

/** Whether a failure of the rule breaks the documentation (MUST/SHOULD) or the suite's reading (DERIVED). */
export function breaksWhat(rule: Pick<RuleResult, 'level'>): 'documentation' | "the suite's reading" {
  return rule.level === 'DERIVED' ? "the suite's reading" : 'documentation';
}

/** The line of the report's waiver file: `Waivers: <file> (sha256:…), 2 applied, 1 unused, 0 expired`. */
export function waiverFileLine(report: ConformanceReport): string | undefined {
  const w = report.waivers;
  if (w === undefined) return undefined;
  const n = (state: string) => w.entries.filter((e) => e.state === state).length;
  return `Waivers: ${w.file} (${w.sha256}): ${n('applied')} applied, ${n('unused')} unused, ${n('expired')} expired`;
}

/** `n / total` as a percentage with one decimal, or `–` when total is 0. */
export function percent(n: number, total: number): string {
  if (total <= 0) return '–';
  return `${(Math.round((n / total) * 1000) / 10).toFixed(1)}%`;
}

/** Name of an IRQL value as used in WDK docs. */
export function irqlName(irql: number): string {
  switch (irql) {
    case 0:
      return 'PASSIVE_LEVEL';
    case 1:
      return 'APC_LEVEL';
    case 2:
      return 'DISPATCH_LEVEL';
    default:
      return `DIRQL(${irql})`;
  }
}

/** One line describing a trace event: `#3 [irp] CPU0 PASSIVE_LEVEL IoCallDriver(...)`. */
export function eventLine(e: TraceEvent): string {
  const parts = [`#${e.seq}`, `[${e.kind}]`];
  if (e.cpu !== undefined) parts.push(`CPU${e.cpu}`);
  if (e.irql !== undefined) parts.push(irqlName(e.irql));
  parts.push(e.text);
  return parts.join(' ');
}

/** Base of the archived NetDMA conceptual documentation. */
export const NETDMA_DOCS_BASE = 'https://learn.microsoft.com/en-us/previous-versions/windows/hardware/network/';

/**
 * A link for a documentation source, or `undefined` when no trustworthy link can be made.
 * `https:` URLs are used as they are; conceptual page file names such as
 * `starting-a-netdma-provider.md` map to the archived NetDMA documentation. DDI reference
 * pages (`nf-…`, `ns-…`, `ne-…`) and anything else are shown as plain text by callers.
 */
export function docUrl(doc: string): string | undefined {
  const trimmed = doc.trim();
  if (/^https:\/\/[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(\/[A-Za-z0-9._~/-]*)?(#[A-Za-z0-9._~-]*)?$/.test(trimmed)) return trimmed;
  const base = trimmed.split(/[\\/]/).pop() ?? '';
  const m = /^([a-z0-9]+(?:-[a-z0-9]+)+)\.md$/.exec(base);
  if (m === null) return undefined;
  const slug = m[1]!;
  if (/^(nf|ns|ne|nc|nn|ni)-/.test(slug)) return undefined;
  return NETDMA_DOCS_BASE + slug;
}

/** The plain-text body describing a failure (used by JUnit and Markdown). */
export function failureText(rule: RuleResult, failure: RuleFailure): string {
  const lines: string[] = [];
  lines.push(failure.message);
  lines.push('');
  lines.push(`Rule: ${rule.id} (${rule.level}, ${rule.family}) ${rule.statement}`);
  lines.push(`Breaks: ${breaksWhat(rule)} [${bindingLine(rule)}]`);
  if (rule.waiver !== undefined) lines.push(`Waived: ${rule.waiver.reason}${rule.waiver.expires !== undefined ? ` (until ${rule.waiver.expires})` : ''}`);
  lines.push(`Interface version: ${failure.interfaceVersion}`);
  lines.push(`Property: ${failure.property}`);
  if (failure.numRunsToFailure !== undefined) lines.push(`Runs to failure: ${failure.numRunsToFailure}`);
  if (failure.shrinks !== undefined) lines.push(`Shrinks: ${failure.shrinks}`);
  if (failure.location !== undefined) lines.push(`Location: ${failure.location.file}:${failure.location.line}:${failure.location.column}`);
  lines.push('');
  lines.push(`Steps (shrunk, ${failure.steps.length}):`);
  failure.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  lines.push('');
  lines.push(`Counterexample (${failure.counterexample.length} events):`);
  for (const e of failure.counterexample) lines.push(`  ${eventLine(e)}`);
  lines.push('');
  lines.push(`Replay token: ${failure.replay}`);
  lines.push('Replay:');
  lines.push(`  ${failure.replayCommand}`);
  return lines.join('\n');
}

/**
 * Whether a failed rule is only a warning in this report: a failed SHOULD rule of a non-strict
 * run (listed in `report.warnings`). Such a rule keeps status `fail` and its failure, but does
 * not make the run nonconformant.
 */
export function isWarning(report: ConformanceReport, rule: RuleResult): boolean {
  return rule.status === 'fail' && report.warnings.includes(rule.id);
}

/** Failed rules that fail the verdict (not warnings), with their failure, in report order. */
export function verdictFailures(report: ConformanceReport): { rule: RuleResult; failure: RuleFailure }[] {
  return failedRules(report).filter((f) => !isWarning(report, f.rule));
}

/** Failed rules that are only warnings (see {@link isWarning}), with their failure, in report order. */
export function warningFailures(report: ConformanceReport): { rule: RuleResult; failure: RuleFailure }[] {
  return failedRules(report).filter((f) => isWarning(report, f.rule));
}

/**
 * The verdict in capitals with a short explanation, e.g. `NONCONFORMANT: 2 of 40 rules failed`
 * or `CONFORMANT with 1 warning: ...` when SHOULD rules failed in a non-strict run.
 */
export function verdictSentence(report: ConformanceReport): string {
  const counts = statusCounts(report.rules);
  const total = report.rules.length;
  const w = report.warnings.length;
  const warnings = w === 0 ? '' : `${w} SHOULD rule(s) failed as warning(s): ${report.warnings.join(', ')}`;
  const waived = waivedRules(report).map((x) => x.rule.id);
  const waivedText = waived.length === 0 ? '' : `${waiverCount(waived.length)} (failed, waived by ${report.waivers?.file ?? 'the waiver file'}: ${waived.join(', ')})`;
  switch (report.verdict) {
    case 'conformant':
      if (waived.length > 0) {
        return `CONFORMANT with ${waivedText}: every other exercised rule passed${w === 0 ? '' : `; ${warnings}`}; ${counts['not-exercised']} of ${total} not exercised`;
      }
      return w === 0
        ? `CONFORMANT: all ${counts.pass} exercised rule(s) passed, ${counts['not-exercised']} of ${total} not exercised`
        : `CONFORMANT with ${w} warning(s): every exercised MUST and DERIVED rule passed; ${warnings} (warnings under --should-warn; a run without it fails on them); ${counts['not-exercised']} of ${total} not exercised`;
    case 'nonconformant':
      return `NONCONFORMANT: ${counts.fail - w} of ${total} rule(s) failed${w === 0 ? '' : `; plus ${warnings}`}${waived.length === 0 ? '' : `; ${waivedText}`}`;
    case 'error':
      return `ERROR: the run could not complete (${report.errors.length} error(s))`;
  }
}

/**
 * The sentence that marks a replay's report (undefined for a run): a replay is one run of one
 * counterexample, so its verdict is never a conformance verdict.
 */
export function replayNotice(report: ConformanceReport): string | undefined {
  const r = report.replay;
  if (r === undefined) return undefined;
  const what = r.rule ?? 'a failure';
  return `REPLAY of one counterexample in one run (token ${r.token.length > 24 ? `${r.token.slice(0, 24)}…` : r.token}): it ${r.reproduced ? 'reproduced' : 'did NOT reproduce'} ${what}. Not a conformance verdict: run check without --replay for one.`;
}
