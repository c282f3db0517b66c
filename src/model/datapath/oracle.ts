/**
 * The byte oracle: dmatest-style verdict on one copy.
 *
 * Given the source buffer (before, and optionally after), the destination buffer before and
 * after, the window (source offset, destination offset, length) and optional guard lengths,
 * it checks six regions like Linux `dmatest`: source before / inside / after the window
 * unchanged; destination before and after the window unchanged; destination inside the
 * window equal to the source window. Regions are compared in bulk (`Buffer.compare` on
 * 4 KiB chunks of `subarray` views); bytes are examined one by one only inside chunks that
 * already compared unequal, to count mismatches and list the first 32.
 *
 * @module
 */

/** Most mismatches listed per finding (dmatest prints the first 32, then counts the rest). */
export const MAX_LISTED_MISMATCHES = 32;

/** One differing byte. `offset` is relative to the start of its buffer. */
export interface ByteMismatch {
  readonly offset: number;
  readonly expected: number;
  readonly actual: number;
}

/** Region of a buffer relative to the copy window. */
export type WindowRegion = 'before' | 'inside' | 'after';

/**
 * A dmatest finding.
 * - `source-overwritten`: the source changed (dmatest "srcbuf overwritten").
 * - `destination-not-copied`: inside the window, every differing byte still holds its old value.
 * - `mismatch`: inside the window, some byte holds neither the source byte nor (for all of them) the old value.
 * - `copied-outside-window`: the destination changed before or after the window.
 */
export interface ByteFinding {
  readonly kind: 'source-overwritten' | 'destination-not-copied' | 'mismatch' | 'copied-outside-window';
  readonly region: WindowRegion;
  /** Total differing bytes in the region. */
  readonly count: number;
  /** The first {@link MAX_LISTED_MISMATCHES} of them. */
  readonly first: readonly ByteMismatch[];
  /** One line in dmatest's style. */
  readonly message: string;
}

/** Input of {@link checkCopy}. */
export interface CopyCheck {
  /** Source buffer as it was before the copy. */
  readonly sourceBefore: Uint8Array;
  /** Source buffer after the copy (omit to skip the source checks). */
  readonly sourceAfter?: Uint8Array;
  readonly destinationBefore: Uint8Array;
  readonly destinationAfter: Uint8Array;
  readonly sourceOffset: number;
  readonly destinationOffset: number;
  readonly length: number;
  /** Bytes checked before the window in each buffer (default: everything before it). */
  readonly guardBefore?: number;
  /** Bytes checked after the window in each buffer (default: everything after it). */
  readonly guardAfter?: number;
}

/** Verdict of {@link checkCopy}. */
export interface CopyVerdict {
  readonly ok: boolean;
  readonly findings: readonly ByteFinding[];
  /** Differing bytes over all regions. */
  readonly mismatchCount: number;
}

const CHUNK = 4096;

/**
 * Compares `actual[aFrom, aFrom + length)` with `expected[eFrom, ...)`: bulk first, then
 * byte-wise only in differing chunks. Returns the count and the first 32 mismatches (offsets
 * relative to `actual`). With `stale` (a buffer aligned with `actual`), also counts the
 * differing bytes that equal `stale` at the same offset.
 */
export function diffRanges(
  expected: Uint8Array,
  eFrom: number,
  actual: Uint8Array,
  aFrom: number,
  length: number,
  stale?: Uint8Array,
): { count: number; first: ByteMismatch[]; staleCount: number } {
  if (length <= 0) return { count: 0, first: [], staleCount: 0 };
  return diffBuffers(asBuffer(expected), eFrom, asBuffer(actual), aFrom, length, stale);
}

/** The result of an equal region (internal: `addFinding` ignores it, nothing mutates it). */
const NO_DIFF: { count: number; first: ByteMismatch[]; staleCount: number } = Object.freeze({ count: 0, first: [], staleCount: 0 });

/** {@link diffRanges} on Buffers already made (checkCopy converts its four buffers once). */
function diffBuffers(
  e: Buffer,
  eFrom: number,
  a: Buffer,
  aFrom: number,
  length: number,
  stale: Uint8Array | undefined,
): { count: number; first: ByteMismatch[]; staleCount: number } {
  if (length <= 0 || e.compare(a, aFrom, aFrom + length, eFrom, eFrom + length) === 0) return NO_DIFF;
  const first: ByteMismatch[] = [];
  let count = 0;
  let staleCount = 0;
  for (let off = 0; off < length; off += CHUNK) {
    const n = Math.min(CHUNK, length - off);
    if (e.compare(a, aFrom + off, aFrom + off + n, eFrom + off, eFrom + off + n) === 0) continue;
    // Only here, in a chunk known to differ, are bytes examined one by one.
    for (let i = 0; i < n; i++) {
      const exp = e[eFrom + off + i]!;
      const act = a[aFrom + off + i]!;
      if (exp === act) continue;
      count++;
      if (stale !== undefined && stale[aFrom + off + i] === act) staleCount++;
      if (first.length < MAX_LISTED_MISMATCHES) first.push({ offset: aFrom + off + i, expected: exp, actual: act });
    }
  }
  return { count, first, staleCount };
}

function addFinding(
  findings: ByteFinding[],
  kind: ByteFinding['kind'],
  region: WindowRegion,
  r: { count: number; first: ByteMismatch[] },
  what: string,
): void {
  if (r.count === 0) return;
  const at = r.first[0]!;
  findings.push({
    kind,
    region,
    count: r.count,
    first: r.first,
    message: `${what}[0x${at.offset.toString(16)}] ${kindText(kind)}: expected 0x${hex2(at.expected)}, got 0x${hex2(at.actual)} (${r.count} byte(s) in the ${region} region)`,
  });
}

/**
 * Runs the six dmatest region checks on one copy.
 *
 * Hot path (once per checked copy): the four buffers are wrapped as Buffers once (not once per
 * region), and no closure is created per call; each region is still one bulk compare when it
 * is equal.
 */
export function checkCopy(input: CopyCheck): CopyVerdict {
  const { sourceBefore, sourceAfter, destinationBefore, destinationAfter, sourceOffset: so, destinationOffset: dof, length } = input;
  if (destinationBefore.length !== destinationAfter.length) throw new RangeError('destination before/after differ in length');
  if (sourceAfter !== undefined && sourceAfter.length !== sourceBefore.length) throw new RangeError('source before/after differ in length');
  if (so < 0 || dof < 0 || length < 0 || so + length > sourceBefore.length || dof + length > destinationBefore.length) {
    throw new RangeError('copy window outside the buffers');
  }
  const findings: ByteFinding[] = [];
  const { guardBefore, guardAfter } = input;
  const srcB = asBuffer(sourceBefore);
  const dstB = asBuffer(destinationBefore);
  const dstA = asBuffer(destinationAfter);

  if (sourceAfter !== undefined) {
    const srcA = asBuffer(sourceAfter);
    const bLen = Math.min(so, guardBefore ?? so);
    const bFrom = so - bLen;
    const aFrom = so + length;
    const aLen = Math.min(sourceBefore.length - aFrom, guardAfter ?? sourceBefore.length - aFrom);
    // The three source regions are contiguous: when the whole span is unchanged, so is each region.
    if (srcB.compare(srcA, bFrom, aFrom + aLen, bFrom, aFrom + aLen) !== 0) {
      addFinding(findings, 'source-overwritten', 'before', diffBuffers(srcB, bFrom, srcA, bFrom, bLen, undefined), 'srcbuf');
      addFinding(findings, 'source-overwritten', 'inside', diffBuffers(srcB, so, srcA, so, length, undefined), 'srcbuf');
      addFinding(findings, 'source-overwritten', 'after', diffBuffers(srcB, aFrom, srcA, aFrom, aLen, undefined), 'srcbuf');
    }
  }
  {
    const bLen = Math.min(dof, guardBefore ?? dof);
    const bFrom = dof - bLen;
    addFinding(findings, 'copied-outside-window', 'before', diffBuffers(dstB, bFrom, dstA, bFrom, bLen, undefined), 'dstbuf');
    // Inside the window: "not copied" when every wrong byte still holds the destination's old value.
    const inside = diffBuffers(srcB, so, dstA, dof, length, destinationBefore);
    addFinding(findings, inside.staleCount === inside.count ? 'destination-not-copied' : 'mismatch', 'inside', inside, 'dstbuf');
    const aFrom = dof + length;
    const aLen = Math.min(destinationBefore.length - aFrom, guardAfter ?? destinationBefore.length - aFrom);
    addFinding(findings, 'copied-outside-window', 'after', diffBuffers(dstB, aFrom, dstA, aFrom, aLen, undefined), 'dstbuf');
  }
  let mismatchCount = 0;
  for (const f of findings) mismatchCount += f.count;
  return { ok: findings.length === 0, findings, mismatchCount };
}

function kindText(kind: ByteFinding['kind']): string {
  switch (kind) {
    case 'source-overwritten':
      return 'overwritten';
    case 'destination-not-copied':
      return 'not copied';
    case 'mismatch':
      return 'mismatch';
    case 'copied-outside-window':
      return 'was copied (outside the window)';
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function asBuffer(u: Uint8Array): Buffer {
  // A Buffer is already the view Buffer.from would make (same memory, offset and length).
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Formats a verdict as dmatest-like lines (empty when ok). */
export function formatVerdict(v: CopyVerdict): string[] {
  return v.findings.flatMap((f) => [
    f.message,
    ...f.first.map((m) => `  [0x${m.offset.toString(16)}] expected 0x${hex2(m.expected)} actual 0x${hex2(m.actual)}`),
    ...(f.count > f.first.length ? [`  ... ${f.count - f.first.length} more`] : []),
  ]);
}
