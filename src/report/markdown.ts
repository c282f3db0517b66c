/**
 * `summary.md`: a GitHub job summary (`$GITHUB_STEP_SUMMARY`).
 * @module
 */
import { machineCoverageLines } from './machines';
import { bindingLine, breaksWhat, groupByFamily, percent, replayNotice, statusCounts, verdictFailures, verdictSentence, waivedRules, warningFailures, wellFormed } from './common';
import type { ConformanceReport } from './schema';

/** Control characters are shown as `\uXXXX` (they have no business in a summary). */
function visible(s: string): string {
  return wellFormed(s).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Escapes text for inline Markdown (and table cells): HTML specials become entities, inline
 * Markdown punctuation is backslash-escaped, line breaks become spaces, and what would start a
 * block (heading, list, setext underline) at the start of a line is escaped too.
 */
export function mdText(s: string): string {
  return visible(s)
    .replace(/\r\n|\r|\n|\t/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** Inline code span that survives backticks in `s` (no escaping happens inside code spans). */
function mdCode(s: string): string {
  const text = visible(s).replace(/\r\n|\r|\n/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Fenced code block whose fence is longer than any backtick run in `s`. */
function mdBlock(s: string, lang = ''): string {
  const text = visible(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** Text inside raw HTML (`<details>`, `<summary>`): only HTML escaping. */
function htmlText(s: string): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Writes the report as a Markdown summary: a one-line verdict, a table of families, the failed
 * rules with their replay commands, coverage figures and the ambiguity decisions (collapsed).
 */
export function toMarkdown(report: ConformanceReport): string {
  const out: string[] = [];
  const counts = statusCounts(report.rules);
  const cov = report.coverage;
  out.push(`## NetDMA conformance: ${mdText(report.candidate.name)}`);
  out.push('');
  out.push(`**${mdText(verdictSentence(report))}**`);
  out.push('');
  const replay = replayNotice(report);
  if (replay !== undefined) {
    out.push(`> **${mdText(replay)}**`);
    out.push('');
  }
  const facts = [
    `candidate ${mdCode(report.candidate.path)}`,
    `interface versions ${report.interfaceVersions.join(', ')}`,
    `seed ${mdCode(String(report.seed))}`,
    `${report.runs} runs`,
    `${(report.durationMs / 1000).toFixed(1)} s`,
    `${mdText(report.tool.name)} ${mdText(report.tool.version)}`,
  ];
  if (report.candidate.hash !== undefined) facts.push(`source ${mdCode(report.candidate.hash.slice(0, 19))}`);
  if (report.shard !== undefined) facts.push(`shard ${report.shard.index + 1} of ${report.shard.count}`);
  out.push(facts.join(' · '));
  out.push('');
  if (report.incomplete !== undefined) {
    out.push(`> **Incomplete run:** ${mdText(report.incomplete.reason)}. The figures cover only what ran.`);
    out.push('');
  }
  if (report.errors.length > 0) {
    out.push('### Errors');
    out.push('');
    for (const e of report.errors) {
      out.push(`- ${mdText(e.message)}`);
      if (e.detail !== undefined) {
        out.push('');
        out.push(
          mdBlock(e.detail)
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n'),
        );
      }
    }
    out.push('');
  }

  out.push('### Rule families');
  out.push('');
  const withWaived = counts.waived > 0;
  out.push(`| Family | Pass | Fail |${withWaived ? ' Waived |' : ''} Not exercised | Total |`);
  out.push(`| --- | ---: | ---: |${withWaived ? ' ---: |' : ''} ---: | ---: |`);
  for (const g of groupByFamily(report.rules)) {
    out.push(`| ${mdText(g.family)} | ${g.pass} | ${g.fail} |${withWaived ? ` ${g.waived} |` : ''} ${g.notExercised} | ${g.rules.length} |`);
  }
  out.push(`| **All** | **${counts.pass}** | **${counts.fail}** |${withWaived ? ` **${counts.waived}** |` : ''} **${counts['not-exercised']}** | **${report.rules.length}** |`);
  if (report.warnings.length > 0) {
    out.push('');
    out.push(`Fail counts include ${report.warnings.length} SHOULD rule(s) that failed as warnings.`);
  }
  out.push('');

  const section = (title: string, list: ReturnType<typeof verdictFailures>, warning: boolean) => {
    if (list.length === 0) return;
    out.push(`### ${title} (${list.length})`);
    out.push('');
    if (warning) {
      out.push('> These SHOULD rules failed. The docs only recommend them: this run (`--should-warn`) reports each as a warning, not a conformance failure (a run without that flag fails on them).');
      out.push('');
    }
    for (const { rule, failure } of list) {
      const waived = rule.waiver !== undefined;
      out.push(`#### ${mdText(rule.id)} (${rule.level}, ${mdText(rule.family)}${warning ? ', warning' : ''}${waived ? ', waived' : ''})`);
      out.push('');
      out.push(mdText(rule.statement));
      out.push('');
      out.push(`- Breaks ${mdText(breaksWhat(rule))}: ${mdText(bindingLine(rule))}`);
      if (rule.waiver !== undefined) out.push(`- **Waived**${rule.waiver.expires !== undefined ? ` until ${rule.waiver.expires}` : ''}: ${mdText(rule.waiver.reason)}`);
      out.push(`- ${warning ? 'Warning' : 'Failure'}: ${mdText(failure.message)}`);
      out.push(`- Interface version ${failure.interfaceVersion}, property ${mdCode(failure.property)}`);
      const extra: string[] = [`${failure.steps.length} step(s)`, `${failure.counterexample.length} event(s)`];
      if (failure.numRunsToFailure !== undefined) extra.push(`found after ${failure.numRunsToFailure} run(s)`);
      if (failure.shrinks !== undefined) extra.push(`${failure.shrinks} shrink(s)`);
      out.push(`- Shrunk counterexample: ${extra.join(', ')}`);
      if (failure.location !== undefined) {
        out.push(`- Location: ${mdCode(`${failure.location.file}:${failure.location.line}:${failure.location.column}`)}`);
      }
      out.push('');
      out.push('Replay:');
      out.push('');
      out.push(mdBlock(failure.replayCommand, 'sh'));
      out.push('');
    }
  };
  section('Failed rules', verdictFailures(report), false);
  section('Warnings: SHOULD rules failed', warningFailures(report), true);
  if (report.waivers !== undefined) {
    const w = report.waivers;
    out.push(`### Waivers (${w.entries.length})`);
    out.push('');
    out.push(`From ${mdCode(w.file)} (${mdCode(w.sha256)}). A waived rule failed: it is listed with its counterexample, never as a pass.`);
    out.push('');
    if (w.entries.length > 0) {
      out.push('| Rule | State | Reason | Expires |');
      out.push('| --- | --- | --- | --- |');
      for (const e of w.entries) out.push(`| ${mdText(e.rule)} | ${e.state} | ${mdText(e.reason)} | ${e.expires ?? '—'} |`);
      out.push('');
    }
  }
  section('Waived failures', waivedRules(report), false);

  out.push('### Coverage');
  out.push('');
  out.push(`- Rules exercised: ${cov.rulesExercised} of ${cov.rulesTotal} (${percent(cov.rulesExercised, cov.rulesTotal)})`);
  out.push(`- PnP transitions covered: ${cov.transitionsCovered} of ${cov.transitionsTotal} (${percent(cov.transitionsCovered, cov.transitionsTotal)})`);
  if (cov.code !== undefined) out.push(`- Candidate code lines: ${cov.code.linesPct.toFixed(1)}% of ${mdCode(cov.code.dir)}`);
  if (cov.machines !== undefined && cov.machines.length > 0) {
    out.push('- Machines exercised:');
    for (const l of machineCoverageLines(cov.machines)) out.push(`  - ${mdText(l)}`);
  }
  out.push('');

  out.push('<details>');
  out.push(`<summary>Ambiguity decisions (${report.ambiguities.length})</summary>`);
  out.push('');
  if (report.ambiguities.length === 0) {
    out.push('None.');
  } else {
    out.push('| Id | Question | Decision |');
    out.push('| --- | --- | --- |');
    for (const a of report.ambiguities) out.push(`| ${mdText(a.id)} | ${mdText(a.title)} | ${mdText(a.decision)} |`);
  }
  out.push('');
  out.push('</details>');
  out.push('');
  out.push(`<sub>${htmlText(`${report.tool.name} ${report.tool.version}, started ${report.startedAt}, ${report.environment.node} on ${report.environment.platform}`)}</sub>`);
  return `${out.join('\n')}\n`;
}
