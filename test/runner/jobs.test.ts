import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCheck, type RunProgress } from '../../src/runner';
import { partitionUnits } from '../../src/runner/isolation/run-pool';
import { planUnits } from '../../src/runner/units';
import type { ConformanceReport } from '../../src/report';

/** The report without what depends on the wall clock. */
const timeless = (r: ConformanceReport) => ({ ...r, startedAt: '', durationMs: 0 });

describe('partitionUnits', () => {
  it('puts every unit in exactly one of at most `jobs` groups, sizes within one of each other, plan order kept in each', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 64 }), fc.integer(), (runs, jobs, seed) => {
        const units = planUnits(['datapath', 'lifecycle'], ['1.0', '1.1', '2.0'], runs, seed);
        const groups = partitionUnits(units, jobs);
        expect(groups.length).toBe(Math.min(jobs, units.length));
        expect(groups.flat().map((u) => u.index).sort((a, b) => a - b)).toEqual(units.map((u) => u.index));
        const sizes = groups.map((g) => g.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (const g of groups) for (let i = 1; i < g.length; i++) expect(g[i]!.index).toBeGreaterThan(g[i - 1]!.index);
      }),
    );
  });
});

describe('check --jobs', () => {
  it('gives the same report with 1 and with 3 workers, and progress that only grows to the totals', async () => {
    const one = await runCheck({ runs: 260, interfaceVersions: ['2.0'], jobs: 1 });
    const seen: RunProgress[] = [];
    const three = await runCheck({ runs: 260, interfaceVersions: ['2.0'], jobs: 3, onProgress: (p) => seen.push(p) });
    expect(timeless(three.report)).toEqual(timeless(one.report));
    expect(three.report.verdict).toBe('conformant');
    expect(seen.at(-1)).toMatchObject({ unitsDone: 4, unitsTotal: 4, runsTotal: 520, workDone: 520 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.workDone).toBeGreaterThanOrEqual(seen[i - 1]!.workDone);
  }, 120_000);

  it('gives the same failures with 1 and 2 workers on a faulty provider', async () => {
    const cand = 'candidates/faulty/stop-no-provider-stop.ts';
    const one = await runCheck({ candidate: cand, runs: 300, interfaceVersions: ['2.0'], properties: ['lifecycle'], jobs: 1 });
    const two = await runCheck({ candidate: cand, runs: 300, interfaceVersions: ['2.0'], properties: ['lifecycle'], jobs: 2 });
    expect(one.report.verdict).toBe('nonconformant');
    expect(timeless(two.report)).toEqual(timeless(one.report));
  }, 120_000);

  it('keeps the watchdog per worker: an endless loop ends its worker, the others finish, the run is marked incomplete', async () => {
    const { report } = await runCheck({ candidate: 'candidates/hostile/loop-in-handler.ts', runs: 1000, interfaceVersions: ['2.0'], properties: ['datapath'], jobs: 2, watchdogMs: 400 });
    expect(report.verdict).not.toBe('conformant');
    expect(report.rules.find((r) => r.id === 'KAPI-05')?.status).toBe('fail');
    expect(report.incomplete?.reason).toMatch(/^[23] of 4 work units finished; stopped after/);
  }, 120_000);

  it('joins the workers\' line coverage: the same lines are covered with 1 and 2 workers', async () => {
    const covered = (c: NonNullable<Awaited<ReturnType<typeof runCheck>>['coverage']>) =>
      c.files.flatMap((f) => f.lineHits.filter(([, n]) => n > 0).map(([l]) => `${f.file}:${l}`)).sort();
    const one = await runCheck({ runs: 260, interfaceVersions: ['2.0'], properties: ['lifecycle'], jobs: 1, coverage: true });
    const two = await runCheck({ runs: 260, interfaceVersions: ['2.0'], properties: ['lifecycle'], jobs: 2, coverage: true });
    expect(covered(two.coverage!)).toEqual(covered(one.coverage!));
    expect(covered(one.coverage!).length).toBeGreaterThan(100);
  }, 120_000);
});
