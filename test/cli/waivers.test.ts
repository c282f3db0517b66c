/**
 * Waivers through the CLI: the nearest netdma-conformance.json from the candidate's folder upwards
 * (or --waivers FILE; --no-waivers ignores it) turns a failure into a waived one — never a pass —
 * and the verdict into "conformant with N waivers" (exit 0); a malformed file exits 2 naming file,
 * entry and problem; a replay reads the waivers too; merge keeps them and refuses shards with others.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main';
import { parseConformanceReport } from '../../src/report';
import { findWaiverFile } from '../../src/runner';

function capture(): Io & { text(): string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), color: false, interactive: false, text: () => lines.join('\n') };
}
const tmp = () => mkdtempSync(path.join(tmpdir(), 'ndc-waivers-'));
const report = (dir: string) => parseConformanceReport(JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')));
const FAULTY = path.resolve(__dirname, '../../candidates/faulty/cancel-stop-fails.ts');
const RULE = 'PNP-CSTOP-01';
const REASON = 'Our bus driver fails CANCEL_STOP on purpose (erratum 12); the FDO only reports it';

/** A team's repository: `drivers/my-provider.ts` (the faulty provider) and, optionally, the waiver file at its root. */
function repo(waivers?: string): { root: string; candidate: string; file: string } {
  const root = tmp();
  mkdirSync(path.join(root, 'drivers'));
  const candidate = path.join(root, 'drivers', 'my-provider.ts');
  writeFileSync(candidate, `export { default } from ${JSON.stringify(FAULTY)};\n`);
  const file = path.join(root, 'netdma-conformance.json');
  if (waivers !== undefined) writeFileSync(file, waivers);
  return { root, candidate, file };
}
const waiverFile = (entries: object[]) => `${JSON.stringify({ waivers: entries }, null, 2)}\n`;
const ARGS = ['--runs', '250', '--interface-version', '1.1'];

describe('check with a waiver file', () => {
  it('finds the nearest netdma-conformance.json above the candidate: the failure is waived, never a pass, and the run is conformant with 1 waiver (exit 0)', async () => {
    const text = waiverFile([{ rule: RULE, reason: REASON }, { rule: 'PNP-REM-02', reason: 'never fails here' }]);
    const { candidate, file } = repo(text);
    expect(findWaiverFile(path.dirname(candidate))).toBe(file);
    const dir = tmp();
    const io = capture();
    expect(await main(['check', candidate, ...ARGS, '--report-dir', dir], io)).toBe(0);
    expect(io.text()).toMatch(new RegExp(`CONFORMANT my-provider — conformant with 1 waiver: ${RULE} \\(waived by .*netdma-conformance\\.json\\)`));
    expect(io.text()).toContain(`WAIVED ${RULE} (MUST): `);
    expect(io.text()).toContain(`  waived: ${REASON}`);
    expect(io.text()).toContain('unused waiver: PNP-REM-02 did not fail in this run (not an error)');
    const r = report(dir);
    expect(r.verdict).toBe('conformant');
    const rule = r.rules.find((x) => x.id === RULE)!;
    expect(rule).toMatchObject({ status: 'waived', waiver: { reason: REASON } });
    expect(rule.failure!.replay).toMatch(/^ndc2\./);
    expect(r.waivers).toMatchObject({ sha256: `sha256:${createHash('sha256').update(text).digest('hex')}` });
    expect(r.waivers!.file).toMatch(/netdma-conformance\.json$/);
    expect(r.waivers!.entries.map((e) => [e.rule, e.state])).toEqual([[RULE, 'applied'], ['PNP-REM-02', 'unused']]);
    expect(readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain(`<skipped message="waived: ${REASON}"/>`);
    expect(readFileSync(path.join(dir, 'summary.md'), 'utf8')).toContain(`CONFORMANT with 1 waiver`);
    expect(readFileSync(path.join(dir, 'conformance.html'), 'utf8')).toContain(`data-failure-for="${RULE}" data-waived="true"`);
    expect(JSON.parse(readFileSync(path.join(dir, 'conformance.sarif'), 'utf8')).runs[0].results[0].suppressions[0].justification).toBe(REASON);

    // The replay reads the same file: the replayed failure shows as waived.
    const replayDir = tmp();
    expect(await main(['check', candidate, '--replay', rule.failure!.replay, '--report-dir', replayDir], capture())).toBe(0);
    const again = report(replayDir);
    expect(again.replay).toMatchObject({ rule: RULE, reproduced: true });
    expect(again.rules.find((x) => x.id === RULE)).toMatchObject({ status: 'waived', waiver: { reason: REASON } });

    // --no-waivers ignores it: nonconformant.
    const strictDir = tmp();
    expect(await main(['check', candidate, ...ARGS, '--no-waivers', '--report-dir', strictDir], capture())).toBe(1);
    expect(report(strictDir).rules.find((x) => x.id === RULE)!.status).toBe('fail');
    expect(report(strictDir).waivers).toBeUndefined();
  });

  it('--waivers FILE names the file; a waiver for another rule leaves the run nonconformant, the waiver listed as unused', async () => {
    const { candidate } = repo();
    const elsewhere = path.join(tmp(), 'waivers.json');
    writeFileSync(elsewhere, waiverFile([{ rule: 'PNP-REM-02', reason: 'not this one', expires: '2099-01-01' }]));
    const dir = tmp();
    expect(await main(['check', candidate, ...ARGS, '--waivers', elsewhere, '--report-dir', dir], capture())).toBe(1);
    const r = report(dir);
    expect(r.verdict).toBe('nonconformant');
    expect(r.waivers!.entries).toEqual([{ rule: 'PNP-REM-02', reason: 'not this one', expires: '2099-01-01', state: 'unused' }]);
  });

  it.each([
    ['a duplicate rule', waiverFile([{ rule: RULE, reason: 'a' }, { rule: RULE, reason: 'b' }]), /netdma-conformance\.json: waivers\[1\] \(PNP-CSTOP-01\): PNP-CSTOP-01 is waived twice/],
    ['an empty reason', waiverFile([{ rule: RULE, reason: '' }]), /waivers\[0\] \(PNP-CSTOP-01\) reason: reason is empty/],
    ['an unknown rule', waiverFile([{ rule: 'PNP-CSTOP-09', reason: 'x' }]), /waivers\[0\] \(PNP-CSTOP-09\): unknown rule id PNP-CSTOP-09/],
    ['malformed JSON', '{ "waivers": [ ', /netdma-conformance\.json: not valid JSON/],
  ])('exits 2 on a waiver file with %s, naming file, entry and problem', async (_what, text, message) => {
    const { candidate } = repo(text);
    const io = capture();
    expect(await main(['check', candidate, ...ARGS, '--report-dir', tmp()], io)).toBe(2);
    expect(io.text()).toMatch(message);
  });

  it('exits 2 on --waivers naming a missing file, and on --waivers with --no-waivers', async () => {
    const { candidate } = repo();
    const io = capture();
    expect(await main(['check', candidate, '--waivers', 'no-such.json', '--report-dir', tmp()], io)).toBe(2);
    expect(io.text()).toMatch(/waiver file no-such\.json \(--waivers\) is not found/);
    const io2 = capture();
    expect(await main(['check', candidate, '--waivers', 'a.json', '--no-waivers'], io2)).toBe(2);
    expect(io2.text()).toMatch(/give one of the two/);
  });
});

describe('merge with waivers', () => {
  it('keeps the shards\' waiver file; refuses a shard run with another (or none)', async () => {
    const { candidate } = repo(waiverFile([{ rule: RULE, reason: REASON }]));
    const [a, b, c, out] = [tmp(), tmp(), tmp(), tmp()];
    // 500 runs on one interface version: two chunks per property, so each shard holds both properties.
    const args = ['--runs', '500', '--interface-version', '1.1'];
    expect(await main(['check', candidate, ...args, '--shard', '1/2', '--report-dir', a], capture())).toBe(0);
    expect(await main(['check', candidate, ...args, '--shard', '2/2', '--report-dir', b], capture())).toBe(0);
    await main(['check', candidate, ...args, '--shard', '2/2', '--no-waivers', '--report-dir', c], capture());
    expect(await main(['merge', a, b, '--report-dir', out], capture())).toBe(0);
    const merged = report(out);
    expect(merged.waivers!.sha256).toBe(report(a).waivers!.sha256);
    expect(merged.rules.find((x) => x.id === RULE)).toMatchObject({ status: 'waived', waiver: { reason: REASON } });
    const io = capture();
    expect(await main(['merge', a, c, '--report-dir', tmp()], io)).toBe(2);
    expect(io.text()).toMatch(/report 2 used no waiver file, report 1 used waiver file .*: shards of one run must carry the same waivers/);
  });
});
