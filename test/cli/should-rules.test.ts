/**
 * SHOULD rules: by default (strict) a provider that fails only a SHOULD rule is nonconformant
 * (exit 1); with `--should-warn` it is conformant (exit 0) with the failure reported as a warning
 * in every format.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main';
import { parseConformanceReport } from '../../src/report';
import { descendants, parseXml } from '../report/xml';

const sarifSchema = JSON.parse(readFileSync(new URL('../report/fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const validateSarif = ajv.compile(sarifSchema);

function capture(): Io & { text(): string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), color: false, interactive: false, text: () => lines.join('\n') };
}
const tmp = () => mkdtempSync(path.join(tmpdir(), 'ndc-should-'));
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
const faulty = (name: string) => path.resolve(__dirname, '../../candidates/faulty', `${name}.ts`);

// Faulty providers whose catalog entry expects exactly one SHOULD rule.
const SHOULD_ONLY = [
  ['add-leaves-initializing', 'DRV-ADD-02'],
  ['channel-cpu-lowest-in-mask', 'NDMA-INT-08'],
  ['dp-isr-resets-channel', 'NDMA-INT-06'],
] as const;

describe('a provider that fails only a SHOULD rule', () => {
  it.each(SHOULD_ONLY)('%s with --should-warn: conformant with a warning for %s (exit 0); every report shows the warning', async (name, ruleId) => {
    const dir = tmp();
    const io = capture();
    expect(await main(['check', faulty(name), '--runs', '200', '--should-warn', '--report-dir', dir], io)).toBe(0);
    expect(io.text()).toContain(`CONFORMANT ${name} — every exercised MUST and DERIVED rule holds; 1 SHOULD rule failed: ${ruleId} (warning under --should-warn);`);

    const r = parseConformanceReport(JSON.parse(read(dir, 'conformance.json')));
    expect(r.verdict).toBe('conformant');
    expect(r.strict).toBe(false);
    expect(r.warnings).toEqual([ruleId]);
    // A SHOULD failure no longer cuts its work unit short: every run asked for was made.
    expect(r.runs).toBe(200 * 3 * 2);
    const rule = r.rules.find((x) => x.id === ruleId)!;
    expect(rule).toMatchObject({ level: 'SHOULD', status: 'fail' });
    expect(rule.failure!.replay).toMatch(/^ndc2\./);
    expect(r.rules.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual([ruleId]);

    const sarif = JSON.parse(read(dir, 'conformance.sarif')) as { runs: { results: { ruleId: string; level: string }[]; properties: { verdict: string; strict: boolean; warnings: string[] } }[] };
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level])).toEqual([[ruleId, 'warning']]);
    expect(sarif.runs[0]!.properties).toMatchObject({ verdict: 'conformant', strict: false, warnings: [ruleId] });

    const junit = parseXml(read(dir, 'junit.xml'));
    expect(junit.attributes).toMatchObject({ failures: '0', errors: '0' });
    expect(descendants(junit, 'failure')).toEqual([]);
    const tc = descendants(junit, 'testcase').find((c) => c.attributes.name!.startsWith(`${ruleId} `))!;
    expect(tc.children.map((c) => c.name)).toEqual(['system-out']);
    expect(tc.children[0]!.text).toContain(`WARNING: SHOULD rule ${ruleId} failed`);
    expect(tc.children[0]!.text).toContain(rule.failure!.replay);

    const md = read(dir, 'summary.md');
    expect(md).toMatch(/\*\*CONFORMANT with 1 warning\(s\)/);
    expect(md).toContain('### Warnings: SHOULD rules failed (1)');
    expect(md).not.toContain('### Failed rules');
    const html = read(dir, 'conformance.html');
    expect(html).toContain('<body data-verdict="conformant">');
    expect(html).toContain(`data-failure-for="${ruleId}" data-warning="true"`);
    expect(html).not.toContain('<section id="failures">');
  });

  it.each(SHOULD_ONLY)('%s by default (strict): nonconformant on %s (exit 1), no warnings, a SARIF error and a JUnit failure', async (name, ruleId) => {
    const dir = tmp();
    const io = capture();
    expect(await main(['check', faulty(name), '--runs', '200', '--report-dir', dir], io)).toBe(1);
    expect(io.text()).toContain(`NONCONFORMANT ${name} — 1 rule(s) failed: ${ruleId};`);
    const r = parseConformanceReport(JSON.parse(read(dir, 'conformance.json')));
    expect(r).toMatchObject({ verdict: 'nonconformant', strict: true, warnings: [] });
    const sarif = JSON.parse(read(dir, 'conformance.sarif')) as { runs: { results: { ruleId: string; level: string }[] }[] };
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level])).toEqual([[ruleId, 'error']]);
    const junit = parseXml(read(dir, 'junit.xml'));
    expect(junit.attributes.failures).toBe('1');
    expect(descendants(junit, 'failure')).toHaveLength(1);
    expect(read(dir, 'summary.md')).toContain('### Failed rules (1)');
  });

  it('a MUST failure is nonconformant with or without --should-warn', async () => {
    for (const strict of [[], ['--should-warn']]) {
      const dir = tmp();
      expect(await main(['check', faulty('cancel-stop-fails'), '--runs', '250', '--interface-version', '1.1', ...strict, '--report-dir', dir], capture())).toBe(1);
      const r = parseConformanceReport(JSON.parse(read(dir, 'conformance.json')));
      expect(r).toMatchObject({ verdict: 'nonconformant', warnings: [] });
    }
  });

  it('merge refuses shards of which some ran with --should-warn and some without', async () => {
    const cand = faulty('add-leaves-initializing');
    const a = tmp();
    const b = tmp();
    expect(await main(['check', cand, '--runs', '100', '--shard', '1/2', '--should-warn', '--report-dir', a], capture())).toBe(0);
    await main(['check', cand, '--runs', '100', '--shard', '2/2', '--report-dir', b], capture());
    const io = capture();
    expect(await main(['merge', a, b, '--report-dir', tmp()], io)).toBe(2);
    expect(io.text()).toMatch(/shards of one run must agree on --should-warn/);
  });

  it('--help documents --should-warn', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.text()).toMatch(/--should-warn\s+failed SHOULD rules are warnings/);
  });
});
