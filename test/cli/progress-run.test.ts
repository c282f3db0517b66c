import { describe, expect, it } from 'vitest';
import { runCheck, type RunProgress } from '../../src/runner';

describe('progress of an isolated run', () => {
  it('reports the start, runs within each unit (every 32) and each finished unit, in order, ending at the totals', async () => {
    const seen: RunProgress[] = [];
    const { report } = await runCheck({ runs: 100, interfaceVersions: ['2.0'], jobs: 1, onProgress: (p) => seen.push(p) });
    expect(seen[0]).toEqual({ unitsDone: 0, unitsTotal: 2, runsDone: 0, runsTotal: 200, workDone: 0 });
    expect(seen.at(-1)).toEqual({ unitsDone: 2, unitsTotal: 2, runsDone: report.runs, runsTotal: 200, workDone: 200 });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.workDone).toBeGreaterThanOrEqual(seen[i - 1]!.workDone);
      expect(seen[i]!.unitsDone).toBeGreaterThanOrEqual(seen[i - 1]!.unitsDone);
    }
    // Within-unit progress from the worker: runs 32, 64 and 96 of each unit were announced.
    expect(seen.map((p) => p.workDone)).toEqual(expect.arrayContaining([32, 64, 96, 132, 164, 196]));
  });
});
