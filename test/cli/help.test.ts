import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_USAGE, MERGE_USAGE, USAGE, main, type Io } from '../../src/cli/main';
import { parseConformanceReport } from '../../src/report';

function capture(extra: Partial<Io> = {}): Io & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out: (l) => out_.push(l), err: (l) => err_.push(...l.split('\n')), color: false, interactive: false, ...extra, out_, err_ };
}

describe('help', () => {
  it.each([
    [['--help'], USAGE],
    [['-h'], USAGE],
    [['help'], USAGE],
    [['check', '--help'], CHECK_USAGE],
    [['check', '-h'], CHECK_USAGE],
    [['check', 'my.ts', '--runs', 'x', '--help'], CHECK_USAGE],
    [['help', 'check'], CHECK_USAGE],
    [['merge', '--help'], MERGE_USAGE],
    [['merge', '-h'], MERGE_USAGE],
  ])('%j prints its help and exits 0', async (argv, text) => {
    const io = capture();
    expect(await main(argv, io)).toBe(0);
    expect(io.out_.join('\n')).toBe(text);
    expect(io.err_).toEqual([]);
  });

  it('every check option is in the check help and in the README option table', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const options = [...CHECK_USAGE.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== 'help');
    expect(options).toContain('coverage');
    for (const o of options) expect(readme).toMatch(new RegExp(`^\\| \`--${o}[ \`]`, 'm'));
  });
});

describe('usage errors: one line naming the problem, a pointer to the help, exit 2', () => {
  it.each([
    [['check', '--rusn', '5'], "netdma-conformance: unknown option '--rusn' for check (did you mean --runs?)", 'check --help'],
    [['check', '--report=out'], "netdma-conformance: unknown option '--report' for check (did you mean --report-dir?)", 'check --help'],
    [['check', '--seed', '-5', '--qiuet'], "netdma-conformance: unknown option '--qiuet' for check (did you mean --quiet?)", 'check --help'],
    [['check', '-q'], "netdma-conformance: unknown option '-q' for check", 'check --help'],
    [['check', '--frobnicate'], "netdma-conformance: unknown option '--frobnicate' for check", 'check --help'],
    [['merge', 'a', '--formt', 'json'], "netdma-conformance: unknown option '--formt' for merge (did you mean --format?)", 'merge --help'],
    [['merge'], 'netdma-conformance: merge needs at least one report directory', 'merge --help'],
    [['chek'], "netdma-conformance: unknown command 'chek' (did you mean 'check'?)", "'netdma-conformance --help'"],
    [['mrege', 'a'], "netdma-conformance: unknown command 'mrege' (did you mean 'merge'?)", "'netdma-conformance --help'"],
    [['my-provider.ts'], "netdma-conformance: unknown command 'my-provider.ts' (did you mean 'netdma-conformance check my-provider.ts'?)", "'netdma-conformance --help'"],
    [['--runs', '5'], "netdma-conformance: unknown option '--runs' (options go after the command: netdma-conformance check --runs ...)", "'netdma-conformance --help'"],
    [['check', '--runs', 'many'], 'netdma-conformance: --runs must be a whole number', 'check --help'],
    [['check', '--runs'], "netdma-conformance: Option '--runs <value>' argument missing", 'check --help'],
    [['check', 'a.ts', 'b.ts'], 'netdma-conformance: check takes one candidate, got 2: a.ts b.ts', 'check --help'],
  ])('%j', async (argv, first, hint) => {
    const io = capture();
    expect(await main(argv, io)).toBe(2);
    expect(io.err_).toHaveLength(2);
    expect(io.err_[0]).toBe(first);
    expect(io.err_[1]).toContain(hint);
    expect(io.out_).toEqual([]);
  });

  it('no command prints the usage and exits 2', async () => {
    const io = capture();
    expect(await main([], io)).toBe(2);
    expect(io.out_.join('\n')).toBe(USAGE);
  });
});

describe('the console of a failing check', () => {
  it('shows the counterexample the report chose, once per rule, with its location, and progress on stderr', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ndc-console-'));
    const cand = path.resolve(__dirname, '../../candidates/faulty/stop-no-provider-stop.ts');
    let t = 0;
    const io = capture({ progress: 'plain', now: () => (t += 1) });
    expect(await main(['check', cand, '--runs', '250', '--report-dir', dir], io)).toBe(1);
    const r = parseConformanceReport(JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')));
    const failed = r.rules.filter((x) => x.status === 'fail');
    const f = failed.find((x) => x.id === 'PNP-REM-02')!;
    const err = io.err_.join('\n');
    expect(io.err_[0]).toBe('checking stop-no-provider-stop: 6 work units, 1,500 runs');
    // Every failing rule once, each with the counterexample its report chose.
    expect(failed.length).toBeGreaterThan(1);
    expect(io.err_.filter((l) => l.startsWith('FAIL '))).toEqual(failed.map((x) => `FAIL ${x.id} (${x.level}): ${x.failure!.message}`));
    for (const x of failed) expect(err).toContain(`  replay: ${x.failure!.replayCommand}`);
    expect(err).toContain(`  replay: ${f.failure!.replayCommand}`);
    expect(f.failure!.location?.file).toBe(path.join('src', 'reference', 'driver.ts'));
    expect(err).toContain(`  at ${f.failure!.location!.file}:${f.failure!.location!.line}:`);
    expect(err).toMatch(/the shortest of \d+ counterexamples found/);
    expect(io.out_).toHaveLength(1);
    expect(io.out_[0]).toMatch(/NONCONFORMANT stop-no-provider-stop/);
    expect(io.err_.length).toBeLessThan(25 * failed.length);
  });

  it('--quiet prints only the verdict line', async () => {
    const io = capture({ progress: 'tty', write: () => expect.fail('no progress under --quiet') });
    const cand = path.resolve(__dirname, '../../candidates/faulty/stop-no-provider-stop.ts');
    expect(await main(['check', cand, '--runs', '50', '--interface-version', '2.0', '--quiet', '--report-dir', mkdtempSync(path.join(tmpdir(), 'ndc-q-'))], io)).toBe(1);
    expect(io.err_).toEqual([]);
    expect(io.out_).toHaveLength(1);
  });
});
