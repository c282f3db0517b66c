import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTILE } from '../../candidates/hostile/catalog';
import { main, type Io } from '../../src/cli/main';
import { parseConformanceReport } from '../../src/report';

/**
 * Every hostile candidate goes through the CLI: it must end (the watchdog's budget plus start-up),
 * exit 1 or 2, say why in words a person understands, and never be reported conformant.
 */
describe('a broken or hostile candidate never breaks the suite, never hangs it, never fakes a pass', () => {
  it.each(HOSTILE.map((h) => [h.name, h] as const))('%s', async (_name, h) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ndc-hostile-'));
    const lines: string[] = [];
    const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), color: false, interactive: false };
    const cand = path.resolve(__dirname, `../../candidates/hostile/${h.name}.ts`);
    const code = await main(['check', cand, '--runs', '50', '--interface-version', '2.0', '--watchdog-ms', String(h.watchdogMs ?? 1500), '--memory-mb', '128', '--report-dir', dir], io);
    const text = lines.join('\n');
    expect(code, text).toBe(h.exit);
    expect(text).not.toMatch(/CONFORMANT(?! )|: CONFORMANT/);
    if (h.exit === 2) {
      expect(text).toMatch(new RegExp(h.reason));
      return;
    }
    const file = path.join(dir, 'conformance.json');
    expect(existsSync(file), text).toBe(true);
    const report = parseConformanceReport(JSON.parse(readFileSync(file, 'utf8')));
    expect(report.verdict).toBe('nonconformant');
    const failed = report.rules.filter((r) => r.status === 'fail');
    expect(failed.map((r) => r.id)).toContain(h.rule);
    const failure = failed.find((r) => r.id === h.rule)!.failure!;
    expect(failure.message).toMatch(new RegExp(h.reason));
    expect(failure.counterexample.length).toBeGreaterThan(0);
  }, 90_000);
});
