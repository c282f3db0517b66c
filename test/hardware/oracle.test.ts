import { describe, expect, it } from 'vitest';
import {
  checkCopy,
  fillDestinationPattern,
  fillSourcePattern,
  formatVerdict,
  PATTERN_COPY,
  PATTERN_OVERWRITE,
  PATTERN_SRC,
  patternByte,
} from '../../src/model/datapath/index';

function setup(len = 16384, so = 100, dof = 300, n = 5000) {
  const src = new Uint8Array(len);
  const dst = new Uint8Array(len);
  fillSourcePattern(src, so, n);
  fillDestinationPattern(dst, dof, n);
  const after = dst.slice();
  after.set(src.subarray(so, so + n), dof);
  return { src, dst, after, so, dof, n };
}

describe('dmatest patterns', () => {
  it('marks source, copy window and overwrite window; counter detects 32-byte shifts', () => {
    const src = new Uint8Array(40000);
    fillSourcePattern(src, 10, 20);
    expect(src[0]! & PATTERN_SRC).toBe(PATTERN_SRC);
    expect(src[0]! & PATTERN_COPY).toBe(0);
    expect(src[10]! & PATTERN_COPY).toBe(PATTERN_COPY);
    expect(src[30]! & PATTERN_COPY).toBe(0);
    expect(src[35000]).toBe(patternByte('source', false, 35000));
    const dst = new Uint8Array(64);
    fillDestinationPattern(dst, 8, 8);
    expect(dst[8]! & PATTERN_OVERWRITE).toBe(PATTERN_OVERWRITE);
    expect(dst[8]! & PATTERN_SRC).toBe(0);
    const shifted = [...Array(64).keys()].filter((i) => patternByte('source', true, i) !== patternByte('source', true, i + 32));
    expect(shifted.length).toBeGreaterThan(0);
  });
});

describe('checkCopy', () => {
  it('accepts a correct copy', () => {
    const { src, dst, after, so, dof, n } = setup();
    const v = checkCopy({ sourceBefore: src, sourceAfter: src, destinationBefore: dst, destinationAfter: after, sourceOffset: so, destinationOffset: dof, length: n });
    expect(v).toEqual({ ok: true, findings: [], mismatchCount: 0 });
    expect(formatVerdict(v)).toEqual([]);
  });

  it('reports a destination that was not copied', () => {
    const { src, dst, so, dof, n } = setup();
    const v = checkCopy({ sourceBefore: src, destinationBefore: dst, destinationAfter: dst, sourceOffset: so, destinationOffset: dof, length: n });
    expect(v.ok).toBe(false);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ kind: 'destination-not-copied', region: 'inside', count: n });
    expect(v.findings[0]!.first).toHaveLength(32);
    expect(formatVerdict(v).at(-1)).toBe(`  ... ${n - 32} more`);
  });

  it('reports mismatches, writes outside the window, and an overwritten source', () => {
    const { src, dst, after, so, dof, n } = setup();
    after[dof + 7] ^= 0xff;
    after[dof - 1] = 0xee;
    after[dof + n + 3] = 0xee;
    const srcAfter = src.slice();
    srcAfter[so + n + 1] = 0;
    const v = checkCopy({ sourceBefore: src, sourceAfter: srcAfter, destinationBefore: dst, destinationAfter: after, sourceOffset: so, destinationOffset: dof, length: n });
    expect(v.findings.map((f) => [f.kind, f.region, f.count])).toEqual([
      ['source-overwritten', 'after', 1],
      ['copied-outside-window', 'before', 1],
      ['mismatch', 'inside', 1],
      ['copied-outside-window', 'after', 1],
    ]);
    expect(v.mismatchCount).toBe(4);
    expect(v.findings[2]!.first[0]).toEqual({ offset: dof + 7, expected: src[so + 7], actual: after[dof + 7] });
    expect(v.findings[1]!.message).toMatch(/^dstbuf\[0x12b\] was copied/);
  });

  it('guards limit the checked bytes around the window', () => {
    const { src, dst, after, so, dof, n } = setup();
    after[0] = 0xee;
    const v = checkCopy({ sourceBefore: src, destinationBefore: dst, destinationAfter: after, sourceOffset: so, destinationOffset: dof, length: n, guardBefore: 16, guardAfter: 16 });
    expect(v.ok).toBe(true);
  });

  it('rejects windows outside the buffers', () => {
    const { src, dst } = setup();
    expect(() => checkCopy({ sourceBefore: src, destinationBefore: dst, destinationAfter: dst, sourceOffset: 16000, destinationOffset: 0, length: 1000 })).toThrow(RangeError);
  });
});
