import { machineCoverageLines, missingConfigurations, type RequiredConfiguration } from '../report/machines';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import type { CandidateCoverage } from '../runner/isolation/coverage';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mergeReports, parseConformanceReport, writeReports, REPORT_FILE_NAMES, type ConformanceReport } from '../report';
import { verdictFailures } from '../report/common';
import { errorLines, failureBlocks, waiverLines } from './console';
import { coverageHtml, coverageTotals, toLcov } from './coverage-output';
import { ProgressDisplay, type ProgressMode } from './progress';
import { didYouMean } from './suggest';
import { CandidateLoadError, runCheck, toolVersion } from '../runner';
import { UsageError, parseCheckArgs } from './options';

/** One command-line option: its name without dashes, whether it takes a value, and its help line. */
interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly arg?: string;
  readonly help: string;
}

const CHECK_OPTIONS: readonly OptionSpec[] = [
  { name: 'runs', type: 'string', arg: 'N', help: 'runs per property and interface version (default 1000)' },
  { name: 'seed', type: 'string', arg: 'N', help: 'seed of the run (default 20261123, so a CI gate is deterministic)' },
  {
    name: 'replay',
    type: 'string',
    arg: 'TOKEN',
    help: 'rerun exactly one counterexample (printed with every failure); the token names\nits candidate (path and source hash): without a candidate its path is replayed,\na candidate whose source differs is refused (exit 2)',
  },
  { name: 'fail-fast', type: 'boolean', help: 'stop each work unit at its first failure (quickest red; by default the run\ngoes on and reports every failing rule)' },
  { name: 'interface-version', type: 'string', arg: 'V', help: '1.0, 1.1, 2.0 or all (default all)' },
  { name: 'report-dir', type: 'string', arg: 'DIR', help: 'where reports go (default reports/)' },
  { name: 'format', type: 'string', arg: 'LIST', help: 'json,junit,md,html,sarif (default all)' },
  { name: 'min-coverage', type: 'string', arg: 'PCT', help: 'fail unless this share of rules and of PnP transitions was exercised' },
  { name: 'require-config', type: 'string', arg: 'LIST', help: 'fail unless runs used each machine configuration: dimension=value,... (channels=1..16, cpus=1..64, interrupts=msix|msi|line, memory=below-4GiB|above-4GiB, xfercap=N) or default (channels 1, 5, 16; cpus 1, 33, 64; every interrupt mode; memory both sides of 4 GiB)' },
  { name: 'shard', type: 'string', arg: 'i/n', help: "run the i-th of n shares (merge the shards' reports with 'merge')" },
  { name: 'coverage', type: 'boolean', help: "line coverage of the candidate's own source files: <report-dir>/coverage/\n(lcov.info, index.html, summary.json, v8-coverage.json)" },
  { name: 'watchdog-ms', type: 'string', arg: 'N', help: 'end a candidate routine that runs longer than this (default 10000)' },
  { name: 'memory-mb', type: 'string', arg: 'N', help: 'heap limit of each isolated worker (default 1024)' },
  { name: 'jobs', type: 'string', arg: 'N', help: 'isolated workers at once (default: the available cores); the report is\nthe same for any N' },
  {
    name: 'should-warn',
    type: 'boolean',
    help: 'failed SHOULD rules are warnings (reported, exit 0), not failures',
  },
  {
    name: 'waivers',
    type: 'string',
    arg: 'FILE',
    help: 'the waiver file (default: the nearest netdma-conformance.json from the\ncandidate\'s folder upwards); a waived rule\'s failure is reported as waived',
  },
  { name: 'no-waivers', type: 'boolean', help: 'ignore any waiver file' },
  { name: 'quiet', type: 'boolean', help: 'only the verdict line (no progress, no counterexamples)' },
  { name: 'help', type: 'boolean', help: 'this help' },
];

const MERGE_OPTIONS: readonly OptionSpec[] = [
  { name: 'report-dir', type: 'string', arg: 'DIR', help: 'where the merged reports go (default reports/)' },
  { name: 'format', type: 'string', arg: 'LIST', help: 'json,junit,md,html,sarif (default all)' },
  { name: 'help', type: 'boolean', help: 'this help' },
];

const COMMANDS = ['check', 'merge', 'help'] as const;

function optionTable(specs: readonly OptionSpec[]): string {
  return specs
    .map((o) => {
      const head = `  --${o.name}${o.arg ? ` ${o.arg}` : ''}${o.name === 'help' ? ', -h' : ''}`;
      const [first, ...rest] = o.help.split('\n');
      return [`${head.padEnd(28)}${first}`, ...rest.map((l) => `${' '.repeat(28)}${l}`)].join('\n');
    })
    .join('\n');
}

const EXIT_CODES = `exit codes: 0 conformant (with --should-warn: failed SHOULD rules are warnings; every failing rule waived:
  conformant with N waivers), 1 nonconformant (or below --min-coverage), 2 usage, candidate-load, waiver-file or harness error`;

/** `check --help`. */
export const CHECK_USAGE = `usage: netdma-conformance check [candidate] [options]

Holds a NetDMA provider (a .ts, .mts, .js or .mjs module, or a package folder; default: the bundled
reference provider) against the contract, and writes the reports.

options:
${optionTable(CHECK_OPTIONS)}
${EXIT_CODES}`;

/** `merge --help`. */
export const MERGE_USAGE = `usage: netdma-conformance merge <report-dir>... [options]

Joins the reports of the shards of one run (check --shard i/n) into one set of reports.

options:
${optionTable(MERGE_OPTIONS)}
exit codes: as the merged run's check (0, 1), 2 for shards that do not belong together`;

/** `--help`: every command and its options. */
export const USAGE = `usage:
  netdma-conformance check [candidate] [options]   hold a NetDMA provider against the contract
  netdma-conformance merge <report-dir>... [options]  join shard reports
  netdma-conformance --help | --version
  netdma-conformance <command> --help              one command's help

check options:
${optionTable(CHECK_OPTIONS.filter((o) => o.name !== 'help'))}
merge options: --report-dir DIR, --format LIST (as for check)
${EXIT_CODES}`;

/** Where to point a user after a usage error. */
const HELP_HINT = {
  check: "run 'netdma-conformance check --help' for its options",
  merge: "run 'netdma-conformance merge --help' for its options",
  top: "run 'netdma-conformance --help' for usage",
} as const;

/** A usage error of one command: printed as one line plus a pointer to that command's help. */
class CommandUsageError extends UsageError {
  constructor(
    message: string,
    readonly command: keyof typeof HELP_HINT,
  ) {
    super(message);
  }
}

/**
 * Finds the first unknown option in `args` (walking over the values of options that take one) and
 * throws a usage error naming it, with the closest known option when one is close.
 */
export function rejectUnknownOptions(args: readonly string[], specs: readonly OptionSpec[], command: 'check' | 'merge'): void {
  const names = specs.map((o) => o.name);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return;
    if (a === '-h') continue;
    if (a.startsWith('--')) {
      const name = a.slice(2).split('=')[0]!;
      const spec = specs.find((o) => o.name === name);
      if (spec) {
        if (spec.type === 'string' && !a.includes('=')) i++;
        continue;
      }
      const near = didYouMean(name, names);
      throw new CommandUsageError(`unknown option '--${name}' for ${command}${near ? ` (did you mean --${near}?)` : ''}`, command);
    }
    if (a.startsWith('-') && a.length > 1) {
      const near = didYouMean(a.replace(/^-+/, ''), names);
      throw new CommandUsageError(`unknown option '${a}' for ${command}${near ? ` (did you mean --${near}?)` : ''}`, command);
    }
  }
}

/** Whether `args` ask for help (`--help` or `-h` before any `--`). */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

function parseOptions(specs: readonly OptionSpec[]) {
  return Object.fromEntries(specs.map((o) => [o.name, { type: o.type }])) as Record<string, { type: 'string' | 'boolean' }>;
}

/** Output sink (injectable for tests). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  readonly color: boolean;
  readonly interactive: boolean;
  /**
   * How progress is shown while `check` runs (see {@link ProgressMode}); absent: none. The process
   * uses `tty` when stderr is a terminal (and CI is not set), `plain` otherwise.
   */
  readonly progress?: ProgressMode;
  /** Writes text to the progress line without a newline (TTY redraws); default `err`. */
  write?(text: string): void;
  /** Milliseconds on a monotonic clock (injected in tests); default `performance.now`. */
  now?(): number;
  /** Terminal width for the progress line. */
  readonly columns?: number;
}

const processIo = (): Io => {
  const tty = process.stderr.isTTY === true && !process.env['CI'];
  return {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    color: !process.env['NO_COLOR'] && process.stdout.isTTY === true,
    interactive: process.stdout.isTTY === true && !process.env['CI'],
    progress: tty ? 'tty' : 'plain',
    write: (t) => process.stderr.write(t),
    now: () => performance.now(),
    columns: process.stderr.columns || 80,
  };
};

function paint(io: Io, code: number, s: string): string {
  return io.color ? `\u001b[${code}m${s}\u001b[0m` : s;
}

function verdictLine(io: Io, r: ConformanceReport, paths: string[]): string {
  const failed = verdictFailures(r).map((f) => f.rule.id);
  const waived = r.rules.filter((x) => x.status === 'waived').map((x) => x.id);
  const waivedText = waived.length
    ? `${r.verdict === 'conformant' ? 'conformant with ' : ''}${waived.length} waiver${waived.length === 1 ? '' : 's'}: ${waived.join(', ')} (${paint(io, 33, 'waived')} by ${r.waivers?.file ?? 'the waiver file'})`
    : '';
  const v = r.verdict === 'conformant' ? paint(io, 32, 'CONFORMANT') : r.verdict === 'nonconformant' ? paint(io, 31, 'NONCONFORMANT') : paint(io, 33, 'ERROR');
  const cov = `${r.coverage.rulesExercised}/${r.coverage.rulesTotal} rules exercised, ${r.coverage.transitionsCovered}/${r.coverage.transitionsTotal} PnP transitions`;
  const what = failed.length
    ? `${failed.length} rule(s) failed: ${failed.join(', ')}${waivedText ? `; ${waivedText}` : ''}`
    : r.verdict !== 'error' && waivedText
      ? `${waivedText}; every other exercised rule holds`
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

function coverageGate(r: ConformanceReport, min: number | undefined): string | null {
  if (min === undefined) return null;
  const rules = (100 * r.coverage.rulesExercised) / Math.max(1, r.coverage.rulesTotal);
  const trans = (100 * r.coverage.transitionsCovered) / Math.max(1, r.coverage.transitionsTotal);
  if (rules >= min && trans >= min) return null;
  return `coverage below --min-coverage ${min}%: rules ${rules.toFixed(1)}%, PnP transitions ${trans.toFixed(1)}%`;
}

function configurationGate(r: ConformanceReport, required: readonly RequiredConfiguration[] | undefined): string | null {
  if (required === undefined) return null;
  const missing = missingConfigurations(r.coverage.machines, required);
  if (missing.length === 0) return null;
  return `--require-config: no run used ${missing.map((m) => `${m.dimension}=${m.value}`).join(', ')} (${r.runs} runs; raise --runs, or see the machines exercised above)`;
}

async function check(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.out(CHECK_USAGE);
    return 0;
  }
  rejectUnknownOptions(args, CHECK_OPTIONS, 'check');
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: parseOptions(CHECK_OPTIONS) });
  if (positionals.length > 1) throw new CommandUsageError(`check takes one candidate, got ${positionals.length}: ${positionals.join(' ')}`, 'check');
  const { help: _help, ...raw } = values;
  const o = parseCheckArgs(raw);
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  process.once('SIGINT', onSigint);
  const now = io.now ?? (() => performance.now());
  const label = positionals[0] !== undefined ? path.basename(positionals[0]).replace(/\.(m?[jt]s)$/, '') : 'reference';
  const display = new ProgressDisplay(
    { write: (t) => (io.write ?? io.err)(t), line: (l) => io.err(l) },
    o.quiet ? 'off' : (io.progress ?? 'off'),
    now,
    label,
    io.columns,
  );
  let started = false;
  // Counterexamples found per rule: the console shows the report's (shortest) one and says how many more there were.
  const found = new Map<string, number>();
  try {
    const { report: built, coverage, notices } = await runCheck({
      ...(positionals[0] !== undefined ? { candidate: positionals[0] } : {}),
      ...(o.runs !== undefined ? { runs: o.runs } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.replay !== undefined ? { replay: o.replay } : {}),
      interfaceVersions: o['interface-version'],
      ...(o.shard ? { shard: o.shard } : {}),
      ...(o['watchdog-ms'] !== undefined ? { watchdogMs: o['watchdog-ms'] } : {}),
      ...(o['memory-mb'] !== undefined ? { memoryMb: o['memory-mb'] } : {}),
      ...(o.jobs !== undefined ? { jobs: o.jobs } : {}),
      ...(o.coverage ? { coverage: true } : {}),
      ...(o['fail-fast'] ? { failFast: true } : {}),
      strict: !o['should-warn'],
      ...(o['no-waivers'] ? { waivers: false as const } : o.waivers !== undefined ? { waivers: o.waivers } : {}),
      shouldStop: () => stop,
      onUnit: (_u, r) => {
        const id = r.failure?.violation?.ruleId;
        if (id !== undefined) found.set(id, (found.get(id) ?? 0) + 1);
      },
      onProgress: (p) => {
        if (!started) {
          started = true;
          display.start(p);
        } else display.update(p);
      },
    });
    display.clear();
    let report = built;
    if (coverage) {
      const code = await writeCoverage(coverage, path.join(o['report-dir'], 'coverage'));
      report = { ...report, coverage: { ...report.coverage, code } };
      if (!o.quiet) io.out(`candidate code coverage: ${code.linesPct.toFixed(1)}% of lines (${coverage.files.length} file(s)) — ${code.dir}/index.html, lcov.info`);
    }
    const paths = await writeReports(report, o['report-dir'], o.format);
    for (const n of notices) io.err(`netdma-conformance: warning: ${n}`);
    if (!o.quiet) {
      const blocks = [...errorLines(report), ...failureBlocks(report, { found, paint: (k, t) => paint(io, k === 'fail' ? 31 : 33, t) })];
      if (blocks.length > 0) io.err(blocks.join('\n') + '\n');
      for (const l of waiverLines(report)) io.err(l);
    }
    if (!o.quiet && report.coverage.machines !== undefined && report.coverage.machines.length > 0) {
      io.err(['machines exercised:', ...machineCoverageLines(report.coverage.machines).map((l) => `  ${l}`)].join('\n'));
    }
    const gate = coverageGate(report, o['min-coverage']) ?? configurationGate(report, o['require-config']);
    if (gate) io.err(gate);
    io.out(verdictLine(io, report, paths));
    if (report.verdict === 'error') return 2;
    return report.verdict === 'nonconformant' || gate ? 1 : 0;
  } finally {
    display.clear();
    process.removeListener('SIGINT', onSigint);
  }
}

async function merge(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.out(MERGE_USAGE);
    return 0;
  }
  rejectUnknownOptions(args, MERGE_OPTIONS, 'merge');
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: parseOptions(MERGE_OPTIONS) });
  if (positionals.length === 0) throw new CommandUsageError('merge needs at least one report directory', 'merge');
  const dirArg = values['report-dir'];
  const formatArg = values['format'];
  const o = parseCheckArgs({ ...(typeof dirArg === 'string' ? { 'report-dir': dirArg } : {}), ...(typeof formatArg === 'string' ? { format: formatArg } : {}) });
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
    throw new UsageError((e as Error).message);
  }
  const paths = await writeReports(merged, o['report-dir'], o.format);
  const blocks = [...errorLines(merged), ...failureBlocks(merged, { paint: (k, t) => paint(io, k === 'fail' ? 31 : 33, t) }), ...waiverLines(merged)];
  if (blocks.length > 0) io.err(blocks.join('\n') + '\n');
  io.out(verdictLine(io, merged, paths));
  return merged.verdict === 'error' ? 2 : merged.verdict === 'nonconformant' ? 1 : 0;
}

/**
 * Writes `<dir>/lcov.info`, `<dir>/index.html` (the candidate's source lines, run or not),
 * `summary.json` and `v8-coverage.json` (V8's output with the source maps, for c8 / v8-to-istanbul);
 * returns the report's figure.
 */
async function writeCoverage(c: CandidateCoverage, dir: string): Promise<{ linesPct: number; dir: string }> {
  await mkdir(dir, { recursive: true });
  const { lines, covered, linesPct } = coverageTotals(c.files);
  const files = c.files.map(({ lineHits: _hits, ...f }) => ({ ...f, pct: f.lines === 0 ? 0 : Math.round((1000 * f.covered) / f.lines) / 10 }));
  const sources = new Map<string, string>();
  for (const f of c.files) {
    const text = await readFile(f.file, 'utf8').catch(() => undefined);
    if (text !== undefined) sources.set(f.file, text);
  }
  const outputs: [string, string][] = [
    ['v8-coverage.json', JSON.stringify(c.raw, null, 2)],
    ['summary.json', JSON.stringify({ linesPct, lines, covered, note: 'source lines with code that V8 ran, mapped back through the source map', files }, null, 2)],
    ['lcov.info', toLcov(c.files)],
    ['index.html', coverageHtml(c.files, sources, process.cwd())],
  ];
  for (const [name, text] of outputs) {
    const tmp = path.join(dir, `.${name}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, path.join(dir, name));
  }
  return { linesPct, dir };
}

/** The hint after a usage error: which help to read. */
function hintFor(e: Error, cmd: string | undefined): string {
  if (e instanceof CommandUsageError) return HELP_HINT[e.command];
  return cmd === 'check' || cmd === 'merge' ? HELP_HINT[cmd] : HELP_HINT.top;
}

/** A usage error for a first argument that is not a command, with the likeliest intent. */
function unknownCommand(cmd: string): CommandUsageError {
  if (cmd.startsWith('-')) {
    const name = cmd.replace(/^-+/, '').split('=')[0]!;
    const near = CHECK_OPTIONS.some((o) => o.name === name) ? name : didYouMean(name, CHECK_OPTIONS.map((o) => o.name));
    return new CommandUsageError(`unknown option '${cmd}'${near ? ` (options go after the command: netdma-conformance check --${near} ...)` : ''}`, 'top');
  }
  if (/\.(m?[jt]s)$/.test(cmd) || cmd.includes('/')) return new CommandUsageError(`unknown command '${cmd}' (did you mean 'netdma-conformance check ${cmd}'?)`, 'top');
  const near = didYouMean(cmd, COMMANDS);
  return new CommandUsageError(`unknown command '${cmd}'${near ? ` (did you mean '${near}'?)` : ''}`, 'top');
}

/** The CLI. Returns the exit code; never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      if (cmd === 'help' && (rest[0] === 'check' || rest[0] === 'merge')) {
        io.out(rest[0] === 'check' ? CHECK_USAGE : MERGE_USAGE);
        return 0;
      }
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === '--version' || cmd === '-v') {
      io.out(toolVersion());
      return 0;
    }
    if (cmd === 'check') return await check(rest, io);
    if (cmd === 'merge') return await merge(rest, io);
    throw unknownCommand(cmd);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`netdma-conformance: ${e.message}`);
      io.err(hintFor(e, cmd));
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
