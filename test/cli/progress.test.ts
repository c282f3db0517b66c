import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLAIN_INTERVAL_MS, ProgressDisplay, TTY_REDRAW_MS, estimateRemainingMs, fitLine, formatCount, formatDuration, progressText, type ProgressMode, type ProgressSnapshot } from '../../src/cli/progress';

const snap = (unitsDone: number, runsDone: number, workDone = runsDone): ProgressSnapshot => ({ unitsDone, unitsTotal: 24, runsDone, runsTotal: 6000, workDone });

/** A display on a fake clock that records what it wrote. */
function rig(mode: ProgressMode, columns = 200) {
  let t = 1_000;
  const writes: string[] = [];
  const lines: string[] = [];
  const d = new ProgressDisplay({ write: (s) => writes.push(s), line: (l) => lines.push(l) }, mode, () => t, 'my-provider', columns);
  return { d, writes, lines, advance: (ms: number) => (t += ms) };
}

describe('progress arithmetic and text', () => {
  it.each([
    [0, '0 ms'],
    [950, '950 ms'],
    [3_249, '3.2 s'],
    [42_400, '42 s'],
    [125_000, '2 min 05 s'],
  ])('formatDuration(%i) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('formatCount separates thousands and keeps the digits', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), (n) => {
        const s = formatCount(n);
        expect(s.replace(/,/g, '')).toBe(String(n));
        expect(s).toMatch(/^\d{1,3}(,\d{3})*$/);
      }),
    );
  });

  it('the ETA is unknown before any work, 0 when all is done, and shrinks as work is done at a steady rate', () => {
    expect(estimateRemainingMs({ workDone: 0, runsTotal: 6000 }, 5_000)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.integer({ min: 1, max: 9_999 }), (total, msPerRun, done0) => {
        const a = Math.min(done0, total);
        const eta = (d: number) => estimateRemainingMs({ workDone: d, runsTotal: total }, d * msPerRun)!;
        expect(eta(total)).toBe(0);
        expect(eta(a)).toBeCloseTo((total - a) * msPerRun, 3);
        if (a < total) expect(eta(a + 1)).toBeLessThanOrEqual(eta(a) + 1e-9);
      }),
    );
  });

  it('the ETA measures the rate from the first work done, so start-up time does not inflate it', () => {
    // 6 s of start-up, then 100 runs per second.
    const since = { elapsedMs: 6_000, workDone: 32 };
    expect(estimateRemainingMs({ workDone: 532, runsTotal: 6000 }, 11_000, since)).toBeCloseTo(54_680, 6);
    expect(estimateRemainingMs({ workDone: 32, runsTotal: 6000 }, 6_000, since)).toBeCloseTo((6_000 * 5968) / 32, 6); // nothing since: from the start
  });

  it('reads units, runs and elapsed time; ETA on a terminal only', () => {
    expect(progressText(snap(12, 3000), 4_100, 'plain')).toBe('12/24 units, 3,000/6,000 runs, 4.1 s elapsed');
    expect(progressText(snap(12, 3000), 4_100, 'tty')).toBe('12/24 units, 3,000/6,000 runs, 4.1 s, ETA 4.1 s');
    expect(progressText(snap(0, 0), 300, 'tty')).toMatch(/ETA …$/);
  });
});

describe('ProgressDisplay', () => {
  it('on a terminal redraws one line in place, at most every TTY_REDRAW_MS unless a unit finished, and erases it', () => {
    const { d, writes, lines, advance } = rig('tty');
    d.start(snap(0, 0));
    expect(writes).toEqual(['\r\u001b[Kchecking my-provider: 0/24 units, 0/6,000 runs, 0 ms, ETA …']);
    advance(TTY_REDRAW_MS / 2);
    d.update(snap(0, 32));
    expect(writes).toHaveLength(1); // too soon
    d.update(snap(1, 250, 250)); // a unit finished: drawn at once
    expect(writes).toHaveLength(2);
    advance(TTY_REDRAW_MS);
    d.update(snap(1, 282, 282));
    expect(writes).toHaveLength(3);
    expect(writes.every((w) => w.startsWith('\r\u001b[K') && !w.includes('\n'))).toBe(true);
    d.clear();
    expect(writes.at(-1)).toBe('\r\u001b[K');
    d.clear(); // nothing drawn since: nothing to erase
    expect(writes).toHaveLength(4);
    expect(lines).toEqual([]);
  });

  it('cuts a terminal line to the width so a redraw never wraps', () => {
    const { d, writes } = rig('tty', 40);
    d.start(snap(3, 700));
    expect(writes[0]!.replace('\r\u001b[K', '').length).toBeLessThan(40);
  });

  it('fits any label and text under the width, shortening the label before the counts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ minLength: 1, maxLength: 90 }), fc.integer({ min: 20, max: 200 }), (label, text, columns) => {
        const line = fitLine(label, text, columns);
        expect(line.length).toBeLessThan(columns);
        if (`checking : ${text}`.length + 5 < columns) expect(line.endsWith(`: ${text}`)).toBe(true);
      }),
    );
    expect(fitLine('stop-no-provider-stop', '10/24 units, 10/6,000 runs, 3.8 s, ETA 5.1 s', 80)).toBe('checking stop-no-provider-stop: 10/24 units, 10/6,000 runs, 3.8 s, ETA 5.1 s');
    expect(fitLine('stop-no-provider-stop', '10/24 units, 10/6,000 runs, 3.8 s, ETA 5.1 s', 70)).toBe('checking stop-no-provi…: 10/24 units, 10/6,000 runs, 3.8 s, ETA 5.1 s');
  });

  it('without a terminal prints a start line, then a line at most every PLAIN_INTERVAL_MS', () => {
    const { d, writes, lines, advance } = rig('plain');
    d.start(snap(0, 0));
    expect(lines).toEqual(['checking my-provider: 24 work units, 6,000 runs']);
    for (let i = 1; i <= 40; i++) {
      advance(500);
      d.update(snap(Math.floor(i / 2), i * 125));
    }
    // 20 s in 500 ms steps: one line per 5 s.
    expect(lines).toHaveLength(1 + 20_000 / PLAIN_INTERVAL_MS);
    expect(lines[1]).toBe('progress: 5/24 units, 1,250/6,000 runs, 5.0 s elapsed');
    d.clear();
    expect(writes).toEqual([]);
  });

  it('--quiet (off) prints nothing at all', () => {
    const { d, writes, lines, advance } = rig('off');
    d.start(snap(0, 0));
    advance(60_000);
    d.update(snap(24, 6000));
    d.clear();
    expect([...writes, ...lines]).toEqual([]);
  });
});
