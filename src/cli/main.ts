import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import type { CandidateCoverage } from '../runner/isolation/coverage';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RULE_FAMILIES } from '../../spec';
import { mergeReports, parseConformanceReport, writeReports, REPORT_FILE_NAMES, type ConformanceReport } from '../report';
import { verdictFailures } from '../report/common';
import { CandidateLoadError, runCheck, toolVersion } from '../runner';
import { UsageError, parseCheckArgs } from './options';

const USAGE = `usage:
  netdma-conformance check [candidate] [options]   hold a NetDMA provider against the contract
  netdma-conformance merge <report-dir>... [--report-dir dir] [--format list]
  netdma-conformance --help | --version

check options:
  --runs N                  runs per property and interface version (default 1000)
  --seed N                  seed of the run (default 20261123, so a CI gate is deterministic)
  --replay TOKEN            rerun exactly one counterexample (printed with every failure); the token names
                            its candidate (path and source hash): without a candidate its path is replayed,
                            a candidate whose source differs is refused (exit 2)
  --fail-fast               stop each work unit at its first failure (quickest red; by default the run
                            goes on and reports every failing rule)
  --interface-version V     1.0, 1.1, 2.0 or all (default all)
  --report-dir DIR          where reports go (default reports/)
  --format LIST             json,junit,md,html,sarif (default all)
  --min-coverage PCT        fail unless this share of rules and of PnP transitions was exercised
  --shard i/n               run the i-th of n shares (merge the shards' reports with 'merge')
  --coverage                V8 coverage of the candidate's own files, in <report-dir>/coverage
  --watchdog-ms N           end a candidate routine that runs longer than this (default 10000)
  --memory-mb N             heap limit of the isolated candidate (default 1024)
  --should-warn             failed SHOULD rules are warnings (reported, exit 0), not failures
  --quiet                   only the verdict line
exit codes: 0 conformant (with --should-warn: failed SHOULD rules are warnings), 1 nonconformant (or below --min-coverage),
  2 usage, candidate-load or harness error`;

/** Output sink (injectable for tests). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  readonly color: boolean;
  readonly interactive: boolean;
}

const processIo = (): Io => ({
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  color: !process.env['NO_COLOR'] && process.stdout.isTTY === true,
  interactive: process.stdout.isTTY === true && !process.env['CI'],
});

function paint(io: Io, code: number, s: string): string {
  return io.color ? `\u001b[${code}m${s}\u001b[0m` : s;
}

function verdictLine(io: Io, r: ConformanceReport, paths: string[]): string {
  const failed = verdictFailures(r).map((f) => f.rule.id);
  const v = r.verdict === 'conformant' ? paint(io, 32, 'CONFORMANT') : r.verdict === 'nonconformant' ? paint(io, 31, 'NONCONFORMANT') : paint(io, 33, 'ERROR');
  const cov = `${r.coverage.rulesExercised}/${r.coverage.rulesTotal} rules exercised, ${r.coverage.transitionsCovered}/${r.coverage.transitionsTotal} PnP transitions`;
  const what = failed.length
    ? `${failed.length} rule(s) failed: ${failed.join(', ')}`
    : r.verdict === 'error'
      ? (r.errors[0]?.message ?? 'error')
      : r.warnings.length
        ? 'every exercised MUST and DERIVED rule holds'
        : 'every exercised rule holds';
  const warn = r.warnings.length
    ? `; ${r.warnings.length} SHOULD rule${r.warnings.length === 1 ? '' : 's'} failed: ${r.warnings.join(', ')} (${paint(io, 33, r.warnings.length === 1 ? 'warning' : 'warnings')} under --should-warn)`
    : '';
  const replay = r.replay ? `REPLAY (one run of one counterexample, not a conformance verdict; ${r.replay.reproduced ? 'reproduced' : 'did NOT reproduce'} ${r.replay.rule ?? 'a failure'}) ` : '';
  return `netdma-conformance: ${replay}${v} ${r.candidate.name} — ${what}${warn}; ${r.runs} runs, ${cov}${r.incomplete ? ` (INCOMPLETE: ${r.incomplete.reason})` : ''} — reports: ${paths.join(', ') || 'none'}`;
}

function familyTable(io: Io, r: ConformanceReport): void {
  for (const fam of RULE_FAMILIES) {
    const rs = r.rules.filter((x) => x.family === fam);
    if (rs.length === 0) continue;
    const n = (s: string) => rs.filter((x) => x.status === s).length;
    const fail = n('fail');
    io.out(`  ${fam.padEnd(18)} ${String(n('pass')).padStart(3)} pass  ${fail ? paint(io, 31, String(fail).padStart(3)) : '  0'} fail  ${String(n('not-exercised')).padStart(3)} not exercised`);
  }
}

function coverageGate(r: ConformanceReport, min: number | undefined): string | null {
  if (min === undefined) return null;
  const rules = (100 * r.coverage.rulesExercised) / Math.max(1, r.coverage.rulesTotal);
  const trans = (100 * r.coverage.transitionsCovered) / Math.max(1, r.coverage.transitionsTotal);
  if (rules >= min && trans >= min) return null;
  return `coverage below --min-coverage ${min}%: rules ${rules.toFixed(1)}%, PnP transitions ${trans.toFixed(1)}%`;
}

async function check(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      replay: { type: 'string' },
      'interface-version': { type: 'string' },
      'report-dir': { type: 'string' },
      format: { type: 'string' },
      coverage: { type: 'boolean' },
      'min-coverage': { type: 'string' },
      shard: { type: 'string' },
      quiet: { type: 'boolean' },
      'should-warn': { type: 'boolean' },
      'fail-fast': { type: 'boolean' },
      'watchdog-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`check takes one candidate, got ${positionals.length}: ${positionals.join(' ')}`);
  const o = parseCheckArgs(values);
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  process.once('SIGINT', onSigint);
  try {
    const { report: built, failures, coverage, notices } = await runCheck({
      ...(positionals[0] !== undefined ? { candidate: positionals[0] } : {}),
      ...(o.runs !== undefined ? { runs: o.runs } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.replay !== undefined ? { replay: o.replay } : {}),
      interfaceVersions: o['interface-version'],
      ...(o.shard ? { shard: o.shard } : {}),
      ...(o['watchdog-ms'] !== undefined ? { watchdogMs: o['watchdog-ms'] } : {}),
      ...(o['memory-mb'] !== undefined ? { memoryMb: o['memory-mb'] } : {}),
      ...(o.coverage ? { coverage: true } : {}),
      ...(o['fail-fast'] ? { failFast: true } : {}),
      strict: !o['should-warn'],
      shouldStop: () => stop,
      onUnit: (u, r) => {
        if (!io.interactive || o.quiet) return;
        const status = r.failure ? paint(io, 31, `FAIL ${r.failure.violation?.ruleId ?? 'harness error'}`) : paint(io, 32, 'ok');
        io.out(`  ${u.property.padEnd(10)} NetDMA ${u.interfaceVersion}  ${String(r.numRuns).padStart(4)} runs  ${status}`);
      },
    });
    let report = built;
    if (coverage) {
      const code = await writeCoverage(coverage, path.join(o['report-dir'], 'coverage'));
      report = { ...report, coverage: { ...report.coverage, code } };
      if (!o.quiet) io.out(`candidate code coverage: ${code.linesPct.toFixed(1)}% of lines (${coverage.files.length} file(s)) — ${code.dir}`);
    }
    const paths = await writeReports(report, o['report-dir'], o.format);
    for (const n of notices) io.err(`netdma-conformance: warning: ${n}`);
    if (!o.quiet) {
      if (io.interactive) familyTable(io, report);
      for (const f of failures.slice(0, 5)) io.err(f + '\n');
    }
    const gate = coverageGate(report, o['min-coverage']);
    if (gate) io.err(gate);
    io.out(verdictLine(io, report, paths));
    if (report.verdict === 'error') return 2;
    return report.verdict === 'nonconformant' || gate ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function merge(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { 'report-dir': { type: 'string' }, format: { type: 'string' } } });
  if (positionals.length === 0) throw new UsageError('merge needs at least one report directory');
  const o = parseCheckArgs({ ...(values['report-dir'] ? { 'report-dir': values['report-dir'] } : {}), ...(values.format ? { format: values.format } : {}) });
  const reports: ConformanceReport[] = [];
  for (const dir of positionals) {
    const file = path.join(dir, REPORT_FILE_NAMES.json);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      const listing = await readdir(dir).catch(() => null);
      throw new UsageError(`${file} not found${listing ? '' : ` (${dir} is not a directory)`}; run check with --format json (the default includes it)`);
    }
    try {
      reports.push(parseConformanceReport(JSON.parse(text)));
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
  }
  let merged: ConformanceReport;
  try {
    merged = mergeReports(reports);
  } catch (e) {
    throw new UsageError(`cannot merge: ${(e as Error).message}`);
  }
  const paths = await writeReports(merged, o['report-dir'], o.format);
  io.out(verdictLine(io, merged, paths));
  return merged.verdict === 'error' ? 2 : merged.verdict === 'nonconformant' ? 1 : 0;
}

/** Writes coverage/v8-coverage.json (c8 / v8-to-istanbul format) and coverage/summary.json; returns the report's figure. */
async function writeCoverage(c: CandidateCoverage, dir: string): Promise<{ linesPct: number; dir: string }> {
  await mkdir(dir, { recursive: true });
  const lines = c.files.reduce((n, f) => n + f.lines, 0);
  const covered = c.files.reduce((n, f) => n + f.covered, 0);
  const linesPct = lines === 0 ? 0 : (100 * covered) / lines;
  const files = c.files.map((f) => ({ ...f, pct: f.lines === 0 ? 0 : Math.round((1000 * f.covered) / f.lines) / 10 }));
  for (const [name, data] of [['v8-coverage.json', c.raw], ['summary.json', { linesPct, lines, covered, note: 'source lines with code that V8 ran, mapped back through the source map', files }]] as const) {
    const tmp = path.join(dir, `.${name}.tmp`);
    await writeFile(tmp, JSON.stringify(data, null, 2));
    await rename(tmp, path.join(dir, name));
  }
  return { linesPct, dir };
}

/** The CLI. Returns the exit code; never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === '--version' || cmd === '-v') {
      io.out(toolVersion());
      return 0;
    }
    if (cmd === 'check') return await check(rest, io);
    if (cmd === 'merge') return await merge(rest, io);
    throw new UsageError(`unknown command '${cmd}'`);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`netdma-conformance: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof CandidateLoadError) {
      io.err(`netdma-conformance: ${e.message}`);
      return 2;
    }
    io.err(`netdma-conformance: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}
