/**
 * What the console shows of a finished run's failures: per failed rule, the one counterexample the
 * reports chose (the shortest; see `betterFailure`), where the candidate made the violating call,
 * the shrunk steps, the last events with register names decoded, and the replay command. Pure:
 * it reads the report and returns lines.
 *
 * @module
 */
import { bindingLine, failedRules, isWarning, waivedRules } from '../report/common';
import { decodeRegisterText } from '../report/register-names';
import type { ConformanceReport, RuleFailure, RuleResult } from '../report';

/** How much of each failure to show. */
export interface FailureBlockOptions {
  /** Timeline events shown, from the end (where the violation is). Default 8. */
  readonly events?: number;
  /** Counterexamples found per rule id in the run (the report keeps the shortest of them). */
  readonly found?: ReadonlyMap<string, number>;
  /** Wraps a rule-status word in colour (identity without a TTY). */
  readonly paint?: (kind: 'fail' | 'warn', text: string) => string;
}

/** A count with its noun: `1 step`, `5 steps`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One timeline event as the console shows it: sequence number, kind, text with register names decoded. */
export function consoleEventLine(e: { readonly seq: number; readonly kind: string; readonly text: string }): string {
  return `${String(e.seq).padStart(5)} ${e.kind.padEnd(9)} ${e.kind === 'register' ? decodeRegisterText(e.text) : e.text}`;
}

/** The lines of one failed rule. */
export function failureBlock(rule: Pick<RuleResult, 'id' | 'level'> & Partial<Pick<RuleResult, 'binding' | 'waiver'>>, f: RuleFailure, warning: boolean, o: FailureBlockOptions = {}): string[] {
  const paint = o.paint ?? ((_k, t) => t);
  const events = o.events ?? 8;
  const found = o.found?.get(rule.id) ?? 1;
  const lines: string[] = [];
  const word = rule.waiver !== undefined ? 'WAIVED' : warning ? 'WARN' : 'FAIL';
  lines.push(`${paint(word === 'FAIL' ? 'fail' : 'warn', word)} ${rule.id} (${rule.level}): ${f.message}`);
  // What the failure breaks: the documentation (the quoted sentence) or the suite's reading (the decision).
  lines.push(`  [${bindingLine({ level: rule.level, ...(rule.binding !== undefined ? { binding: rule.binding } : {}) })}]`);
  if (rule.waiver !== undefined) lines.push(`  waived${rule.waiver.expires !== undefined ? ` until ${rule.waiver.expires}` : ''}: ${rule.waiver.reason}`);
  if (f.location) lines.push(`  at ${f.location.file}:${f.location.line}:${f.location.column}`);
  const more = found > 1 ? ` (the shortest of ${found} counterexamples found; ${found - 1} more not shown)` : '';
  lines.push(`  ${f.property} on NetDMA ${f.interfaceVersion}, ${plural(f.steps.length, 'step')}${more}:`);
  f.steps.forEach((s, i) => lines.push(`    ${String(i + 1).padStart(2)}. ${s}`));
  const tail = f.counterexample.slice(-events);
  if (tail.length > 0) {
    lines.push(`  last ${tail.length === f.counterexample.length ? plural(tail.length, 'event') : `${tail.length} of ${f.counterexample.length} events`}:`);
    for (const e of tail) lines.push(`  ${consoleEventLine(e)}`);
  }
  lines.push(`  replay: ${f.replayCommand}`);
  return lines;
}

/**
 * The failures of a report as console lines: one block per failed rule (verdict failures first,
 * then warnings, then waived failures), separated by blank lines. Empty when nothing failed.
 */
export function failureBlocks(report: ConformanceReport, o: FailureBlockOptions = {}): string[] {
  const failed = failedRules(report);
  const ordered = [...failed.filter((x) => !isWarning(report, x.rule)), ...failed.filter((x) => isWarning(report, x.rule)), ...waivedRules(report)];
  const out: string[] = [];
  for (const { rule, failure } of ordered) {
    if (out.length > 0) out.push('');
    out.push(...failureBlock(rule, failure, isWarning(report, rule), o));
  }
  return out;
}

/** The run's harness errors, one line each (the detail's first line; the reports have all of it). */
export function errorLines(report: Pick<ConformanceReport, 'errors'>): string[] {
  return report.errors.map((e) => {
    const detail = e.detail?.split('\n').find((l) => l.trim() !== '');
    return `ERROR ${e.message}${detail ? `: ${detail.trim()}` : ''}`;
  });
}

/**
 * The waiver file's lines: which file (and its sha256) the run used, and each waiver that did not
 * apply (unused: the rule did not fail; expired). Empty without a waiver file.
 */
export function waiverLines(report: Pick<ConformanceReport, 'waivers'>): string[] {
  const w = report.waivers;
  if (w === undefined) return [];
  const lines = [`waivers: ${w.file} (${w.sha256}), ${w.entries.length} waiver${w.entries.length === 1 ? '' : 's'}`];
  for (const e of w.entries) {
    if (e.state === 'unused') lines.push(`  unused waiver: ${e.rule} did not fail in this run (not an error)`);
    if (e.state === 'expired') lines.push(`  expired waiver: ${e.rule} (expired ${e.expires ?? ''}): its failures count again`);
  }
  return lines;
}
