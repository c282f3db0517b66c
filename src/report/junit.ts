/**
 * `junit.xml`: one `<testsuite>` per rule family, one `<testcase>` per rule, for CI systems
 * that show JUnit results.
 *
 * A failed SHOULD rule of a non-strict run is a warning, not a conformance failure, so it is
 * written as a **passing** testcase whose `<system-out>` starts with `WARNING` and carries the
 * whole failure (counterexample, replay command): CI systems that fail a build on any JUnit
 * `<failure>` do not fail a conformant run. In a strict run (the default, without `--should-warn`) it is a `<failure>`
 * like any other failed rule.
 * @module
 */
import { failedRules, failureText, groupByFamily, isWarning, statusCounts, wellFormed } from './common';
import type { ConformanceReport, RuleResult } from './schema';

/**
 * Makes a string safe for XML 1.0: characters XML 1.0 does not allow (C0 controls other than
 * tab/LF/CR, U+FFFE/U+FFFF, lone surrogates) are written as the visible text `\uXXXX`.
 */
function xmlChars(s: string): string {
  return wellFormed(s).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes character data (element content). CR is kept as a reference so parsers keep it. */
export function xmlText(s: string): string {
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value (double-quoted); tab/LF/CR survive attribute normalisation as references. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/** The JUnit `classname` of a rule's testcase. */
export function junitClassname(rule: RuleResult): string {
  return `netdma.${rule.family}`;
}

/** The JUnit `name` of a rule's testcase: `<RULE-ID> <statement>`. */
export function junitTestName(rule: RuleResult): string {
  return `${rule.id} ${rule.statement}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function testcase(report: ConformanceReport, rule: RuleResult, indent: string): string {
  const open = `${indent}<testcase classname="${xmlAttr(junitClassname(rule))}" name="${xmlAttr(junitTestName(rule))}" time="0"`;
  if (rule.status === 'fail' && rule.failure !== undefined && isWarning(report, rule)) {
    const text = `WARNING: SHOULD rule ${rule.id} failed. Not a conformance failure under --should-warn (a run without it fails on it).\n\n${failureText(rule, rule.failure)}`;
    return [`${open}>`, `${indent}  <system-out>${xmlText(text)}</system-out>`, `${indent}</testcase>`].join('\n');
  }
  if (rule.status === 'fail' && rule.failure !== undefined) {
    const f = rule.failure;
    return [
      `${open}>`,
      `${indent}  <failure message="${xmlAttr(f.message)}" type="RuleViolation">${xmlText(failureText(rule, f))}</failure>`,
      `${indent}</testcase>`,
    ].join('\n');
  }
  if (rule.status === 'waived' && rule.failure !== undefined && rule.waiver !== undefined) {
    // Never a pass: a skipped testcase that says waived, with the failure in system-out.
    const text = `WAIVED: rule ${rule.id} failed and is waived by ${report.waivers?.file ?? 'the waiver file'}: ${rule.waiver.reason}\n\n${failureText(rule, rule.failure)}`;
    return [`${open}>`, `${indent}  <skipped message="${xmlAttr(`waived: ${rule.waiver.reason}`)}"/>`, `${indent}  <system-out>${xmlText(text)}</system-out>`, `${indent}</testcase>`].join('\n');
  }
  if (rule.status === 'not-exercised') {
    return [`${open}>`, `${indent}  <skipped message="not exercised"/>`, `${indent}</testcase>`].join('\n');
  }
  return `${open}/>`;
}

function property(name: string, value: string, indent: string): string {
  return `${indent}<property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`;
}

/**
 * Writes the report as JUnit XML. Harness errors (verdict `error`) appear as an extra
 * `<testsuite name="harness">` whose testcases (classname `netdma-conformance`) carry `<error>`
 * elements, so CI marks the run as broken; a run cut short is noted in `<properties>`.
 */
export function toJunit(report: ConformanceReport): string {
  const counts = statusCounts(report.rules);
  // Warnings (failed SHOULD rules of a non-strict run) are passing testcases, not failures.
  const failures = counts.fail - report.warnings.length;
  const errors = report.errors.length;
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="${xmlAttr(`${report.tool.name} ${report.candidate.name}`)}" tests="${report.rules.length + errors}" failures="${failures}" errors="${errors}" skipped="${counts['not-exercised'] + counts.waived}" time="${seconds(report.durationMs)}" timestamp="${xmlAttr(report.startedAt)}">`,
  );
  const props: [string, string][] = [
    ['verdict', report.verdict],
    ['strict', String(report.strict)],
    ['warnings', report.warnings.join(',')],
    ['tool.version', report.tool.version],
    ['candidate.name', report.candidate.name],
    ['candidate.path', report.candidate.path],
    ['interfaceVersions', report.interfaceVersions.join(',')],
    ['seed', String(report.seed)],
    ['runs', String(report.runs)],
    ['node', report.environment.node],
    ['platform', report.environment.platform],
  ];
  if (report.shard !== undefined) props.push(['shard', `${report.shard.index + 1}/${report.shard.count}`]);
  if (report.incomplete !== undefined) props.push(['incomplete', report.incomplete.reason]);
  if (report.waivers !== undefined) {
    props.push(['waivers.file', report.waivers.file], ['waivers.sha256', report.waivers.sha256]);
    props.push(['waived', report.rules.filter((r) => r.status === 'waived').map((r) => r.id).join(',')]);
  }
  for (const f of failedRules(report)) props.push([`replay.${f.rule.id}`, f.failure.replayCommand]);

  groupByFamily(report.rules).forEach((group, i) => {
    lines.push(
      `  <testsuite name="${xmlAttr(group.family)}" tests="${group.rules.length}" failures="${group.fail - group.rules.filter((r) => isWarning(report, r)).length}" errors="0" skipped="${group.notExercised + group.waived}" time="0" timestamp="${xmlAttr(report.startedAt)}">`,
    );
    if (i === 0) {
      lines.push('    <properties>');
      for (const [k, v] of props) lines.push(property(k, v, '      '));
      lines.push('    </properties>');
    }
    for (const rule of group.rules) lines.push(testcase(report, rule, '    '));
    lines.push('  </testsuite>');
  });
  if (errors > 0 || report.rules.length === 0) {
    lines.push(`  <testsuite name="harness" tests="${errors}" failures="0" errors="${errors}" skipped="0" time="0" timestamp="${xmlAttr(report.startedAt)}">`);
    if (report.rules.length === 0) {
      lines.push('    <properties>');
      for (const [k, v] of props) lines.push(property(k, v, '      '));
      lines.push('    </properties>');
    }
    report.errors.forEach((e, i) => {
      lines.push(`    <testcase classname="netdma-conformance" name="${xmlAttr(`harness error ${i + 1}`)}" time="0">`);
      const body = e.detail === undefined ? e.message : `${e.message}\n\n${e.detail}`;
      lines.push(`      <error message="${xmlAttr(e.message)}" type="HarnessError">${xmlText(body)}</error>`);
      lines.push('    </testcase>');
    });
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
