/**
 * `netdma-conformance/vitest`: the conformance check as tests of a driver team's own `vitest run`.
 *
 * ```ts
 * // test/conformance.test.ts
 * import { conformanceSuite } from 'netdma-conformance/vitest';
 *
 * conformanceSuite('./drivers/my-provider.ts', { runs: 1000 });
 * ```
 *
 * The check is the CLI's: the candidate runs in the same isolated worker (heap limit, watchdog),
 * once for the whole suite, and each property × interface version becomes one test. A failing
 * test names the rule, the shortest counterexample, the candidate's source line where the
 * violating call was made (when the stack shows it) and the command that replays it.
 *
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, it } from 'vitest';
import type { PropertyCheckResult, PropertyFailure } from '../properties/result';
import { RULES } from '../spec';
import type { InterfaceVersion } from './kernel';
import { REPORT_FORMATS, writeReports, type ReportFormat } from './report';
import { DEFAULT_RUNS, DEFAULT_SEED, SUITE_ROOT, availableProperties, resolveCandidate, runCheck, type CheckRun, type PropertyName, type ResolvedCandidate } from './runner';
import { candidateLocation } from './runner/location';
import { ruleBinding } from './runner/build-report';
import { bindingLine } from './report/common';

/** How {@link conformanceSuite} checks the candidate. */
export interface ConformanceSuiteOptions {
  /** Runs per property and interface version (default 1000, as the CLI). */
  readonly runs?: number;
  /** Seed of the run (default the CLI's fixed seed, so the suite is deterministic). */
  readonly seed?: number;
  /** Interface versions the simulated system presents (default 1.0, 1.1 and 2.0). */
  readonly interfaceVersions?: readonly InterfaceVersion[];
  /** Properties to hold the candidate against (default all: lifecycle and data path). */
  readonly properties?: readonly PropertyName[];
  /** Failed SHOULD rules are reported as warnings and do not fail their test (the CLI's `--should-warn`). */
  readonly shouldWarn?: boolean;
  /** End a candidate routine that runs longer than this, in ms (default 10,000). */
  readonly watchdogMs?: number;
  /** Heap limit of the isolated candidate, in MB (default 1024). */
  readonly memoryMb?: number;
  /** Time the whole check may take, in ms (default 600,000); vitest's own hook timeout does not apply. */
  readonly timeoutMs?: number;
  /** Also write the CLI's reports (conformance.json, junit.xml, …) to this folder. */
  readonly reportDir?: string;
  /** Which reports `reportDir` gets (default all). */
  readonly formats?: readonly ReportFormat[];
  /**
   * The team's waiver file, as the CLI's `--waivers FILE` (a path relative to the working directory),
   * or `false` to ignore waivers (`--no-waivers`). Default: the nearest `netdma-conformance.json`
   * from the candidate's folder upwards. A waived rule's failure does not fail its test; it is
   * printed as waived, with the reason.
   */
  readonly waivers?: string | false;
}

const VERSIONS: readonly InterfaceVersion[] = ['1.0', '1.1', '2.0'];
const PROPERTY_TITLES: Record<PropertyName, string> = { lifecycle: 'PnP/IRP lifecycle', datapath: 'data path' };
const TIMELINE_EVENTS = 12;

/** An error whose text is the whole message (no stack into the suite's own files). */
function nonconformance(message: string): Error {
  const e = new Error(message);
  e.name = 'NetDmaConformanceError';
  e.stack = `${e.name}: ${message}`;
  return e;
}

function ruleLevel(id: string): string | undefined {
  return RULES.find((r) => r.id === id)?.level;
}

/** What a failure of the rule breaks, one line (the reports' wording). */
function ruleBindingLine(id: string): string | undefined {
  const rule = RULES.find((r) => r.id === id);
  return rule === undefined ? undefined : bindingLine({ level: rule.level, binding: ruleBinding(rule) });
}

/** The failure as a test shows it: rule, source line, shortest counterexample, timeline tail, replay command. */
function describeFailure(f: PropertyFailure, candidate: ResolvedCandidate, candidateArg: string): string {
  const lines: string[] = [];
  if (f.violation) {
    const level = ruleLevel(f.violation.ruleId);
    lines.push(`${f.violation.ruleId}${level ? ` (${level})` : ''}: ${f.violation.message}`);
    const binding = ruleBindingLine(f.violation.ruleId);
    if (binding !== undefined) lines.push(`  [${binding}]`);
    const at = candidateLocation(f.violation.stack, candidate.root, SUITE_ROOT);
    lines.push(at ? `  at ${at.file}:${at.line}:${at.column} (the candidate's call that broke the rule)` : '  (no source line of the candidate on the stack)');
  } else {
    lines.push(`harness error: ${f.harnessError ?? 'no violation recorded'}`);
  }
  lines.push(`shrunk counterexample (${f.steps.length} steps, found after ${f.numRunsToFailure} case(s), ${f.shrinks} shrink(s)):`);
  lines.push(...f.steps.map((s, i) => `  ${i + 1}. ${s}`));
  if (f.trace.length > 0) {
    lines.push(`timeline (last ${Math.min(TIMELINE_EVENTS, f.trace.length)} events):`);
    lines.push(...f.trace.slice(-TIMELINE_EVENTS).map((e) => `  ${String(e.seq).padStart(5)} ${e.kind.padEnd(9)} ${e.text}`));
  }
  lines.push(`replay: npx netdma-conformance check ${candidateArg} --replay ${f.replay}`);
  return lines.join('\n');
}

/** The candidate path as the user gave it (a file URL becomes a path relative to the working directory). */
function candidateArgument(candidate: string | URL): string {
  if (typeof candidate === 'string') return candidate;
  const p = fileURLToPath(candidate);
  return path.relative(process.cwd(), p) || p;
}

/**
 * Declares a vitest suite that holds one candidate provider against the conformance properties:
 * one test per property × interface version, named after the candidate. Call it at the top level
 * of a test file. `candidate` is a module path or package folder relative to the working directory
 * (where `vitest` runs: the project root), or a file URL such as
 * `new URL('../drivers/my-provider.ts', import.meta.url)`.
 *
 * The check runs once, in a `beforeAll` hook, in the CLI's isolated worker; a candidate that does
 * not load fails every test with the loader's message.
 */
export function conformanceSuite(candidate: string | URL, options: ConformanceSuiteOptions = {}): void {
  const candidateArg = candidateArgument(candidate);
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? DEFAULT_SEED;
  const versions = [...(options.interfaceVersions ?? VERSIONS)];
  const properties = [...(options.properties ?? availableProperties())];
  const strict = !options.shouldWarn;
  let resolved: ResolvedCandidate | undefined;
  let problem: string | undefined;
  try {
    resolved = resolveCandidate(candidateArg);
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  const name = resolved?.name ?? path.basename(candidateArg);

  describe(`netdma-conformance: ${name} (${candidateArg})`, () => {
    let run: CheckRun | undefined;
    beforeAll(async () => {
      if (problem !== undefined) return;
      try {
        run = await runCheck({
          candidate: candidateArg,
          runs,
          seed,
          interfaceVersions: versions,
          properties,
          strict,
          ...(options.watchdogMs !== undefined ? { watchdogMs: options.watchdogMs } : {}),
          ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
          ...(options.waivers !== undefined ? { waivers: options.waivers } : {}),
        });
      } catch (e) {
        problem = e instanceof Error ? e.message : String(e);
        return;
      }
      const r = run.report;
      const written = options.reportDir !== undefined ? await writeReports(r, options.reportDir, options.formats ?? REPORT_FORMATS) : [];
      const verdict = r.verdict === 'conformant' ? 'CONFORMANT' : r.verdict === 'nonconformant' ? 'NONCONFORMANT' : 'ERROR';
      const waived = r.rules.filter((x) => x.status === 'waived').map((x) => x.id);
      const withWaivers = waived.length > 0 ? ` with ${waived.length} waiver${waived.length === 1 ? '' : 's'} (${waived.join(', ')}; ${r.waivers?.file ?? 'waiver file'} ${r.waivers?.sha256 ?? ''})` : '';
      console.log(
        `netdma-conformance: ${verdict}${withWaivers} ${name} (${candidateArg}) — ${r.runs} runs, seed ${seed}, ${r.coverage.rulesExercised}/${r.coverage.rulesTotal} rules exercised` +
          (written.length ? ` — reports: ${written.join(', ')}` : ''),
      );
    }, options.timeoutMs ?? 600_000);

    for (const property of properties) {
      for (const version of versions) {
        it(`${name}: ${PROPERTY_TITLES[property]} on NetDMA ${version} (${runs} runs, seed ${seed})`, () => {
          if (problem !== undefined) throw nonconformance(`netdma-conformance: ${problem}`);
          if (!run) throw nonconformance('netdma-conformance: the check did not run');
          const mine = run.results.filter((r: PropertyCheckResult) => r.property === property && r.interfaceVersion === version);
          // Every rule the search found failing in this property and version (each with its own shortest case).
          const all = mine.flatMap((r) => r.failures);
          const warnedOnly = (f: (typeof all)[number]) => f.violation !== null && f.violation !== undefined && !strict && ruleLevel(f.violation.ruleId) === 'SHOULD';
          // A waived rule (the report's status `waived`) does not fail its test; it is printed with the team's reason.
          const waiverOf = (f: (typeof all)[number]) => (f.violation ? run!.report.rules.find((x) => x.id === f.violation!.ruleId && x.status === 'waived')?.waiver : undefined);
          const failed = all.filter((f) => !warnedOnly(f) && waiverOf(f) === undefined);
          for (const f of all) {
            if (warnedOnly(f)) console.warn(`netdma-conformance: warning (SHOULD rule, --should-warn): ${f.violation!.ruleId}: ${f.violation!.message}`);
            const w = waiverOf(f);
            if (w !== undefined) console.warn(`netdma-conformance: WAIVED ${f.violation!.ruleId} (failed; waived by ${run.report.waivers?.file ?? 'the waiver file'}: ${w.reason}): ${f.violation!.message}`);
          }
          if (failed.length > 0) {
            // The shortest counterexample of this property and version; the other rules it broke are named.
            const best = [...failed].sort((a, b) => a.steps.length - b.steps.length || a.numRunsToFailure - b.numRunsToFailure)[0]!;
            const others = [...new Set(failed.map((f) => f.violation?.ruleId).filter((id) => id !== undefined && id !== best.violation?.ruleId))];
            throw nonconformance(
              `${name} is nonconformant (${PROPERTY_TITLES[property]} on NetDMA ${version}):\n${describeFailure(best, run.candidate, candidateArg)}` +
                (others.length ? `\nalso failed (each with its own counterexample in the reports): ${others.join(', ')}` : ''),
            );
          }
          // Every run asked for was made (a unit a warning ended early is the exception --should-warn documents).
          const checked = mine.reduce((n, r) => n + r.numRuns, 0);
          const warned = all.length > 0;
          if (checked < runs && !warned) {
            const why = [run.report.incomplete?.reason, ...run.report.errors.map((e) => `${e.message}${e.detail ? `: ${e.detail}` : ''}`)].filter(Boolean).join('; ');
            throw nonconformance(`netdma-conformance: only ${checked} of ${runs} runs of ${property} on NetDMA ${version} were checked${why ? ` (${why})` : ''}`);
          }
        });
      }
    }
  });
}
