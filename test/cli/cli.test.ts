import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main';
import { parseConformanceReport } from '../../src/report';

const FIX = path.resolve(__dirname, '../fixtures/candidates');

function capture(): Io & { text(): string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), color: false, interactive: false, text: () => lines.join('\n') };
}
const tmp = () => mkdtempSync(path.join(tmpdir(), 'ndc-cli-'));
const report = (dir: string) => parseConformanceReport(JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')));

describe('netdma-conformance check', () => {
  it('passes the bundled reference: exit 0, every lifecycle transition covered, reports in every format', async () => {
    const dir = tmp();
    const io = capture();
    expect(await main(['check', '--runs', '300', '--report-dir', dir], io)).toBe(0);
    expect(io.text()).toMatch(/CONFORMANT reference/);
    const r = report(dir);
    expect(r.verdict).toBe('conformant');
    expect(r.coverage.transitionsCovered).toBe(r.coverage.transitionsTotal);
    // Every MUST and DERIVED rule is exercised (and none fails) — but NDMA-CHAN-09 (handlers of several
    // channels, ISR and DPCs at once on different processors), which 300 runs need not reach, and the
    // rules of designs the reference does not take: PWR-10 (the FDO as power-policy owner) and
    // KSVC-01/04/05 (remove locks, ExAllocatePool2, device interfaces, which it never calls),
    // PNP-START-13 (a START to the started device, which only a driver calling IoInvalidateDeviceState gets);
    // properties/lifecycle/lifecycle.test.ts exercises those with the project providers that take them.
    const otherDesigns = new Set(['NDMA-CHAN-09', 'PWR-10', 'KSVC-01', 'KSVC-04', 'KSVC-05', 'PNP-START-13']);
    expect(r.rules.filter((x) => x.level !== 'SHOULD' && !otherDesigns.has(x.id) && x.status !== 'pass').map((x) => x.id)).toEqual([]);
    for (const f of ['conformance.json', 'junit.xml', 'summary.md', 'conformance.html', 'conformance.sarif']) expect(readFileSync(path.join(dir, f), 'utf8').length).toBeGreaterThan(100);
  });

  it('rejects a faulty provider: exit 1, the rule in every format, a replay that reproduces it in one run', async () => {
    const dir = tmp();
    const io = capture();
    const cand = path.resolve(__dirname, '../../candidates/faulty/cancel-stop-fails.ts');
    expect(await main(['check', cand, '--runs', '250', '--interface-version', '1.1', '--report-dir', dir], io)).toBe(1);
    const r = report(dir);
    const failed = r.rules.find((x) => x.status === 'fail')!;
    expect(failed.id).toBe('PNP-CSTOP-01');
    for (const f of ['junit.xml', 'summary.md', 'conformance.html', 'conformance.sarif']) expect(readFileSync(path.join(dir, f), 'utf8')).toContain('PNP-CSTOP-01');
    expect(readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain(failed.failure!.replay);
    const replayDir = tmp();
    expect(await main(['check', cand, '--replay', failed.failure!.replay, '--report-dir', replayDir], capture())).toBe(1);
    const again = report(replayDir);
    expect(again.runs).toBe(1);
    expect(again.rules.find((x) => x.status === 'fail')?.failure?.steps).toEqual(failed.failure!.steps);
  });

  it.each([
    ['a file that does not exist', 'no-such-candidate.ts', /candidate not found: .*no-such-candidate\.ts/],
    ['no default export', path.join(FIX, 'no-default.ts'), /has no default export \(it exports notALoader\)/],
    ['a default export that is not a function', path.join(FIX, 'default-not-function.mjs'), /the default export is an object, not a function/],
  ])('exits 2 on a malformed candidate: %s', async (_what, cand, message) => {
    const io = capture();
    expect(await main(['check', cand, '--report-dir', tmp()], io)).toBe(2);
    expect(io.text()).toMatch(message);
  });

  it('exits 2 on a syntax error and names the file and line', async () => {
    const dir = tmp();
    const file = path.join(dir, 'broken.ts');
    copyFileSync(path.join(FIX, 'syntax-error.ts.txt'), file);
    const io = capture();
    expect(await main(['check', file, '--report-dir', dir], io)).toBe(2);
    expect(io.text()).toMatch(/syntax error at .*broken\.ts:3:\d+/);
  });

  it('exits 2 on bad options, naming each problem', async () => {
    const io = capture();
    expect(await main(['check', '--runs', 'many', '--shard', '3/2', '--format', 'pdf'], io)).toBe(2);
    expect(io.text()).toMatch(/--runs must be a whole number/);
    expect(io.text()).toMatch(/--shard i\/n needs 1 <= i <= n/);
    expect(io.text()).toMatch(/unknown format\(s\) pdf/);
  });

  it('exits 2 on a corrupted replay token', async () => {
    const io = capture();
    expect(await main(['check', '--replay', 'ndc1.not-json', '--report-dir', tmp()], io)).toBe(2);
    expect(io.text()).toMatch(/replay token is corrupted/);
  });

  it('--coverage writes V8 coverage of the candidate\'s own files, mapped to its source lines', async () => {
    const dir = tmp();
    expect(await main(['check', '--runs', '40', '--interface-version', '2.0', '--coverage', '--report-dir', dir], capture())).toBe(0);
    const r = report(dir);
    expect(r.coverage.code?.linesPct).toBeGreaterThan(50);
    const summary = JSON.parse(readFileSync(path.join(dir, 'coverage', 'summary.json'), 'utf8')) as { files: { file: string; lines: number; covered: number }[] };
    const driver = summary.files.find((f) => f.file.endsWith(path.join('src', 'reference', 'driver.ts')))!;
    expect(driver.lines).toBeGreaterThan(100);
    expect(driver.covered).toBeLessThan(driver.lines); // the mutation switches never run in the reference
    expect(summary.files.every((f) => f.file.includes(path.join('src', 'reference')))).toBe(true);
    const raw = JSON.parse(readFileSync(path.join(dir, 'coverage', 'v8-coverage.json'), 'utf8')) as { result: { url: string }[]; 'source-map-cache': Record<string, { data: { sources: string[] } }> };
    // One script entry per file and worker (check --jobs: each worker's V8 data, as NODE_V8_COVERAGE would keep it).
    expect(new Set(raw.result.map((s) => s.url.replace(/\?.*$/, ''))).size).toBe(summary.files.length);
    // The source maps travel with the raw output (c8 maps it back to the .ts lines with them).
    for (const s of raw.result) expect(raw['source-map-cache'][s.url]?.data.sources.length).toBeGreaterThan(0);
    // lcov: one record per file, with the summary's line counts.
    const lcov = readFileSync(path.join(dir, 'coverage', 'lcov.info'), 'utf8');
    const record = lcov.split('end_of_record').find((r) => r.includes(`SF:${driver.file}\n`))!;
    expect(Number(/^LF:(\d+)$/m.exec(record)![1])).toBe(driver.lines);
    expect(Number(/^LH:(\d+)$/m.exec(record)![1])).toBe(driver.covered);
    // A line the reference never reaches (a mutation switch's body) is marked as never run in the HTML.
    const html = readFileSync(path.join(dir, 'coverage', 'index.html'), 'utf8');
    expect(html).toMatch(/<tr class="z"><td class="ln">\d+<\/td><td class="ct">!<\/td><td><code>.*bug\(/);
    expect(html).toMatch(/<tr class="y"><td class="ln">\d+<\/td><td class="ct">\d+×<\/td><td><code>.*IoCreateDevice/);
  });

  it('fails a run whose coverage is below --min-coverage', async () => {
    const io = capture();
    expect(await main(['check', '--runs', '20', '--interface-version', '1.0', '--min-coverage', '99', '--report-dir', tmp()], io)).toBe(1);
    expect(io.text()).toMatch(/coverage below --min-coverage 99%/);
  });
});

describe('sharding', () => {
  it('two shards merged equal one unsharded run over the same seeds', async () => {
    const whole = tmp();
    const a = tmp();
    const b = tmp();
    const merged = tmp();
    const cand = path.resolve(__dirname, '../../candidates/faulty/surprise-no-stop.ts');
    // 500 runs on one interface version: two chunks per property, so each shard holds real units.
    const common = ['--runs', '500', '--seed', '7', '--interface-version', '2.0'];
    expect(await main(['check', cand, ...common, '--report-dir', whole], capture())).toBe(1);
    expect(await main(['check', cand, ...common, '--shard', '1/2', '--report-dir', a], capture())).toBe(1);
    await main(['check', cand, ...common, '--shard', '2/2', '--report-dir', b], capture());
    const mergeIo = capture();
    expect(await main(['merge', a, b, '--report-dir', merged], mergeIo)).toBe(1);
    const w = report(whole);
    const m = report(merged);
    // merge prints the merged run's failures as check does: one block per failed rule.
    expect(mergeIo.text().match(/^FAIL /gm)?.length).toBe(m.rules.filter((x) => x.status === 'fail').length);
    const view = (r: typeof w) => r.rules.map((x) => ({ id: x.id, status: x.status, exercised: x.exercised, replay: x.failure?.replay }));
    expect(view(m)).toEqual(view(w));
    expect(m.coverage).toEqual(w.coverage);
    expect(m.runs).toBe(w.runs);
    expect(m.verdict).toBe(w.verdict);

    // Merge never fakes a pass: an incomplete, duplicated or mixed set is refused (exit 2) and writes nothing.
    const refused = async (dirs: string[], message: RegExp) => {
      const out = tmp();
      const io = capture();
      expect(await main(['merge', ...dirs, '--report-dir', out], io)).toBe(2);
      expect(io.text()).toMatch(message);
      expect(() => readFileSync(path.join(out, 'conformance.json'))).toThrow();
    };
    await refused([a], /shard 2\/2 missing/);
    await refused([b], /shard 1\/2 missing/);
    await refused([a, a, b], /shard 1\/2 is given twice/);
    await refused([a, whole], /report 2 is an unsharded run and report 1 is shard 1\/2/);
    await refused([whole, whole], /all unsharded runs/);
    const fast = tmp();
    await main(['check', cand, ...common, '--fail-fast', '--shard', '2/2', '--report-dir', fast], capture());
    await refused([a, fast], /report 2 ran with --runs 500, properties datapath,lifecycle, --fail-fast, report 1 with --runs 500, properties datapath,lifecycle:/);
  }, 300_000);
});
