/**
 * `conformance.sarif`: SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, VS Code SARIF viewer).
 * @module
 */
import { createHash } from 'node:crypto';
import type { TraceEvent } from '../trace/trace-event';
import { bindingLine, breaksWhat, docUrl, wellFormed } from './common';
import { levelFailsVerdict } from './verdict';
import { TOOL_NAME, type ConformanceReport, type RuleFailure, type RuleResult, type SourceLocation } from './schema';

/** The `$schema` written into every SARIF log. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Default `tool.driver.informationUri`. */
export const DEFAULT_INFORMATION_URI = 'https://www.npmjs.com/package/netdma-conformance';

/** Options of {@link toSarif}. */
export interface SarifOptions {
  /** `tool.driver.informationUri` (an absolute URI); defaults to {@link DEFAULT_INFORMATION_URI}. */
  readonly informationUri?: string;
}

/** Percent-encodes a path segment by segment, keeping `/` separators. */
function encodePath(path: string): string {
  return wellFormed(path)
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** An artifact location for a file path: absolute paths become `file:` URIs, relative ones are relative to `%SRCROOT%`. */
function artifactLocation(path: string): { uri: string; uriBaseId?: string } {
  if (/^file:\/\//i.test(path)) {
    // Already a URI; re-encode characters that are not allowed in one.
    return {
      uri: wellFormed(path)
        .replace(/[^A-Za-z0-9\-._~:/@!$&'()*+,;=%]/g, (c) => encodeURIComponent(c))
        .replace(/%(?![0-9A-Fa-f]{2})/g, '%25'),
    };
  }
  const p = path.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(p)) return { uri: `file:///${p.slice(0, 2)}${encodePath(p.slice(2))}` };
  if (p.startsWith('//')) return { uri: `file:${encodePath(p)}` };
  if (p.startsWith('/')) return { uri: `file://${encodePath(p)}` };
  const rel = p.replace(/^(\.\/)+/, '');
  return { uri: rel === '' ? '.' : encodePath(rel), uriBaseId: '%SRCROOT%' };
}


/** The key of the suite's entry in every result's `partialFingerprints`. */
export const FINGERPRINT_KEY = 'netdmaConformance/v1';

/** The directory part of a `/`-separated path, with its trailing slash (`''` for a bare name). */
function dirOf(path: string): string {
  const p = path.replace(/\\/g, '/');
  return p.slice(0, p.lastIndexOf('/') + 1);
}

/**
 * Where a failure is, relative to the candidate: the violating call's file relative to the
 * candidate's directory (`src/channel.ts`), or the candidate's own file name when no location is
 * known. Never an absolute path of the machine that ran the check.
 */
function candidateRelativeLocation(candidatePath: string, failure: RuleFailure): string {
  const candidate = candidatePath.replace(/\\/g, '/').replace(/\/+$/, '').replace(/^(\.\/)+/, '');
  if (failure.location === undefined) return candidate.slice(candidate.lastIndexOf('/') + 1);
  const file = failure.location.file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const dir = dirOf(candidate);
  return dir !== '' && file.startsWith(dir) ? file.slice(dir.length) : file;
}

/**
 * The shape of a shrunk counterexample: the property, then each step with its numbers and hex
 * values replaced by `#` (`PDO#1: IRP_MN_START_DEVICE` and `PDO#2: IRP_MN_START_DEVICE` have one
 * shape; so do two copies that differ only in length or offset).
 */
function counterexampleShape(failure: RuleFailure): string {
  const abstract = (s: string) => wellFormed(s).replace(/0x[0-9a-f]+/gi, '0x#').replace(/\d+/g, '#');
  return [abstract(failure.property), ...failure.steps.map(abstract)].join('\n');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The `partialFingerprints` entry of a failed rule's result, so that GitHub code scanning (and other
 * SARIF consumers) match a result to the same alert across runs: the SHA-256 (first 32 hex digits) of
 * the rule id, the candidate-relative location (file only, see {@link candidateRelativeLocation}) and
 * the SHA-256 of the shrunk counterexample's shape (see {@link counterexampleShape}).
 *
 * Chosen for stability: seed, replay token, run and shrink counts, interface version, timestamps
 * and the checkout's absolute path are left out, so a rerun, another shard or another CI machine
 * gives the same fingerprint; the line and column are left out too, so an edit elsewhere in the file
 * does not reopen the alert (a report has at most one result per rule, so they are never needed to
 * tell two results apart). A different rule, file, or kind of counterexample is a different alert.
 */
export function resultFingerprint(report: Pick<ConformanceReport, 'candidate'>, ruleId: string, failure: RuleFailure): string {
  const parts = [wellFormed(ruleId), wellFormed(candidateRelativeLocation(report.candidate.path, failure)), sha256(counterexampleShape(failure))];
  return sha256(JSON.stringify(parts)).slice(0, 32);
}

/** A source location carried by a trace event in `detail.location`, when it is a well-formed one. */
function eventLocation(e: TraceEvent): SourceLocation | undefined {
  const loc = e.detail?.location;
  if (typeof loc !== 'object' || loc === null || Array.isArray(loc)) return undefined;
  const { file, line, column } = loc as Record<string, unknown>;
  if (typeof file !== 'string' || file === '' || !Number.isInteger(line) || (line as number) < 1) return undefined;
  return { file, line: line as number, column: Number.isInteger(column) && (column as number) >= 1 ? (column as number) : 1 };
}

/**
 * The index of the counterexample's violation event for `ruleId` (the last one that names the rule,
 * in `detail.ruleId` or as its text's prefix; else the last violation event), or -1.
 */
function violationIndex(events: readonly TraceEvent[], ruleId: string): number {
  const isViolation = (e: TraceEvent) => e.kind === 'violation';
  const named = events.findLastIndex((e) => isViolation(e) && (e.detail?.ruleId === ruleId || e.text.startsWith(`${ruleId}:`)));
  return named >= 0 ? named : events.findLastIndex(isViolation);
}

/** A physical location in the candidate's source. */
function sourcePhysicalLocation(loc: SourceLocation) {
  return {
    artifactLocation: artifactLocation(loc.file),
    region: { startLine: loc.line, startColumn: loc.column },
  };
}

/** `error` for a rule whose failure fails the verdict (MUST, DERIVED; SHOULD too in a strict run), else `warning`. */
function sarifLevel(rule: RuleResult, strict: boolean): 'error' | 'warning' {
  return levelFailsVerdict(rule.level, strict) ? 'error' : 'warning';
}

function helpUri(rule: RuleResult): string | undefined {
  for (const d of rule.sources.docs) {
    const url = docUrl(d);
    if (url !== undefined) return url;
  }
  return undefined;
}

/** An ISO date-time acceptable as a SARIF `date-time` (4-digit year), or undefined. */
function utc(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return undefined;
  const s = d.toISOString();
  return /^\d{4}-/.test(s) ? s : undefined;
}

/**
 * Writes the report as a SARIF 2.1.0 log with one run: every rule as a reporting descriptor,
 * one result per failed rule (level `error` for MUST and DERIVED, `warning` for SHOULD — `error`
 * too in a strict run, where a failed SHOULD rule fails the verdict) whose code flow is
 * the shrunk counterexample, and harness errors as tool execution notifications. Each result
 * carries `partialFingerprints[FINGERPRINT_KEY]` (see {@link resultFingerprint}); a thread-flow
 * step has a physical location when its event carries one in `detail.location` and, for the
 * violation step, at the failure's location (the violating call's source line).
 */
export function toSarif(report: ConformanceReport, options: SarifOptions = {}): string {
  const ruleIndex = new Map<string, number>();
  const rules = report.rules.map((rule, i) => {
    ruleIndex.set(rule.id, i);
    const uri = helpUri(rule);
    const sources = rule.sources;
    const helpLines = [
      rule.statement,
      '',
      `Level: ${rule.level}. Family: ${rule.family}.`,
      `A failure breaks ${breaksWhat(rule)}: ${bindingLine(rule)}.`,
      `Facts: ${sources.facts.length > 0 ? sources.facts.join(', ') : 'none'}.`,
      `Documentation: ${sources.docs.length > 0 ? sources.docs.join(', ') : 'none'}.`,
    ];
    return {
      id: rule.id,
      shortDescription: { text: `${rule.id} (${rule.level})` },
      fullDescription: { text: rule.statement },
      ...(uri !== undefined ? { helpUri: uri } : {}),
      help: { text: helpLines.join('\n') },
      defaultConfiguration: { level: sarifLevel(rule, report.strict) },
      properties: {
        tags: [...new Set(['netdma', rule.family, rule.level])],
        family: rule.family,
        level: rule.level,
        breaks: rule.level === 'DERIVED' ? 'reading' : 'documentation',
        ...(rule.binding !== undefined ? { binding: rule.binding } : {}),
        sources: { facts: [...sources.facts], docs: [...sources.docs] },
      },
    };
  });

  const candidateLocation = artifactLocation(report.candidate.path);
  // Waived failures are results too, suppressed (SARIF `suppressions`, kind external: the team's
  // checked-in waiver file, with its reason) — code scanning shows them as dismissed, never as passes.
  const failed = report.rules.flatMap((rule) => ((rule.status === 'fail' || rule.status === 'waived') && rule.failure !== undefined ? [{ rule, failure: rule.failure }] : []));
  const results = failed.map(({ rule, failure }) => {
    const physicalLocation =
      failure.location !== undefined ? sourcePhysicalLocation(failure.location) : { artifactLocation: candidateLocation };
    // A step is located in the candidate's source when it is known: the event's own `detail.location`,
    // or, for the violation, the line of the violating call.
    const violation = failure.location !== undefined ? violationIndex(failure.counterexample, rule.id) : -1;
    const threadFlowLocations = failure.counterexample.map((e, i) => {
      const loc = eventLocation(e) ?? (i === violation ? failure.location : undefined);
      return {
        location: {
          ...(loc !== undefined ? { physicalLocation: sourcePhysicalLocation(loc) } : {}),
          message: { text: e.text },
        },
        executionOrder: e.seq,
        properties: {
          kind: e.kind,
          seq: e.seq,
          ...(e.cpu !== undefined ? { cpu: e.cpu } : {}),
          ...(e.irql !== undefined ? { irql: e.irql } : {}),
          ...(e.detail !== undefined ? { detail: e.detail } : {}),
        },
      };
    });
    return {
      ruleId: rule.id,
      ruleIndex: ruleIndex.get(rule.id) ?? 0,
      level: sarifLevel(rule, report.strict),
      message: {
        text: `${rule.id} [${bindingLine(rule)}]: ${failure.message}\nInterface version ${failure.interfaceVersion}, property ${failure.property}.${rule.waiver !== undefined ? `\nWaived: ${rule.waiver.reason}` : ''}\nReplay: ${failure.replayCommand}`,
      },
      locations: [{ physicalLocation }],
      partialFingerprints: { [FINGERPRINT_KEY]: resultFingerprint(report, rule.id, failure) },
      ...(rule.waiver !== undefined
        ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: `${rule.waiver.reason}${rule.waiver.expires !== undefined ? ` (until ${rule.waiver.expires})` : ''}`, ...(report.waivers !== undefined ? { location: { physicalLocation: { artifactLocation: artifactLocation(report.waivers.file) } } } : {}) }] }
        : {}),
      ...(threadFlowLocations.length > 0
        ? {
            codeFlows: [
              {
                message: { text: `Shrunk counterexample (${threadFlowLocations.length} events)` },
                threadFlows: [{ locations: threadFlowLocations }],
              },
            ],
          }
        : {}),
      properties: {
        level: rule.level,
        breaks: rule.level === 'DERIVED' ? 'reading' : 'documentation',
        ...(rule.binding !== undefined ? { binding: rule.binding } : {}),
        ...(rule.waiver !== undefined ? { waived: { ...rule.waiver } } : {}),
        interfaceVersion: failure.interfaceVersion,
        property: failure.property,
        steps: [...failure.steps],
        replay: failure.replay,
        replayCommand: failure.replayCommand,
        ...(failure.numRunsToFailure !== undefined ? { numRunsToFailure: failure.numRunsToFailure } : {}),
        ...(failure.shrinks !== undefined ? { shrinks: failure.shrinks } : {}),
      },
    };
  });

  const start = Date.parse(report.startedAt);
  const startTimeUtc = utc(start);
  const endTimeUtc = utc(start + report.durationMs);
  const notifications = [
    ...report.errors.map((e) => ({
      level: 'error' as const,
      message: { text: e.detail === undefined ? e.message : `${e.message}\n${e.detail}` },
    })),
    ...(report.incomplete !== undefined ? [{ level: 'warning' as const, message: { text: `Run incomplete: ${report.incomplete.reason}` } }] : []),
  ];

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: report.tool.version,
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: report.verdict !== 'error' && report.incomplete === undefined,
            ...(startTimeUtc !== undefined ? { startTimeUtc } : {}),
            ...(endTimeUtc !== undefined ? { endTimeUtc } : {}),
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        artifacts: [{ location: candidateLocation, roles: ['analysisTarget'], description: { text: report.candidate.name } }],
        results,
        properties: {
          verdict: report.verdict,
          strict: report.strict,
          warnings: [...report.warnings],
          ...(report.waivers !== undefined ? { waivers: { file: report.waivers.file, sha256: report.waivers.sha256, entries: report.waivers.entries.map((e) => ({ ...e })) } } : {}),
          candidate: { name: report.candidate.name, path: report.candidate.path },
          interfaceVersions: [...report.interfaceVersions],
          seed: report.seed,
          runs: report.runs,
          ...(report.shard !== undefined ? { shard: { ...report.shard } } : {}),
          ...(report.incomplete !== undefined ? { incomplete: { ...report.incomplete } } : {}),
          coverage: {
            rulesExercised: report.coverage.rulesExercised,
            rulesTotal: report.coverage.rulesTotal,
            transitionsCovered: report.coverage.transitionsCovered,
            transitionsTotal: report.coverage.transitionsTotal,
            ...(report.coverage.code !== undefined ? { code: { ...report.coverage.code } } : {}),
          },
          environment: { ...report.environment },
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
