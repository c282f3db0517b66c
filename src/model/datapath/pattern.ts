/**
 * dmatest-style buffer patterns, with a stronger counter.
 *
 * Source bytes have 0x80 set, destination bytes do not; 0x40 marks source bytes inside the
 * copy window, 0x20 destination bytes inside it. dmatest puts an inverted byte counter in
 * the low 5 bits, which misses a shift by a multiple of 32 bytes; here the low 5 bits are
 * `~(i ^ (i >> 5) ^ (i >> 10)) & 0x1F`, which changes under such shifts (period 32 KiB).
 * Filling copies from four precomputed 32 KiB tables with typed-array `set`.
 *
 * @module
 */

/** Bit set in every source byte. */
export const PATTERN_SRC = 0x80;
/** Bit set in source bytes inside the copy window. */
export const PATTERN_COPY = 0x40;
/** Bit set in destination bytes inside the copy window. */
export const PATTERN_OVERWRITE = 0x20;
/** Mask of the counter bits. */
export const PATTERN_COUNT_MASK = 0x1f;

const PERIOD = 1 << 15;

/** The pattern byte at index `i` of a source or destination buffer, inside or outside the window. */
export function patternByte(side: 'source' | 'destination', inWindow: boolean, i: number): number {
  const counter = ~(i ^ (i >>> 5) ^ (i >>> 10)) & PATTERN_COUNT_MASK;
  const marks = side === 'source' ? PATTERN_SRC | (inWindow ? PATTERN_COPY : 0) : inWindow ? PATTERN_OVERWRITE : 0;
  return marks | counter;
}

const tables = new Map<string, Uint8Array>();

function table(side: 'source' | 'destination', inWindow: boolean): Uint8Array {
  const key = `${side}:${inWindow}`;
  let t = tables.get(key);
  if (t === undefined) {
    t = new Uint8Array(PERIOD);
    for (let i = 0; i < PERIOD; i++) t[i] = patternByte(side, inWindow, i);
    tables.set(key, t);
  }
  return t;
}

function fillRange(buf: Uint8Array, from: number, to: number, t: Uint8Array): void {
  let i = from;
  while (i < to) {
    const phase = i % PERIOD;
    const n = Math.min(to - i, PERIOD - phase);
    buf.set(t.subarray(phase, phase + n), i);
    i += n;
  }
}

function fill(side: 'source' | 'destination', buf: Uint8Array, windowStart: number, windowLength: number): void {
  const end = windowStart + windowLength;
  if (windowStart < 0 || windowLength < 0 || end > buf.length) throw new RangeError('pattern window outside the buffer');
  fillRange(buf, 0, windowStart, table(side, false));
  fillRange(buf, windowStart, end, table(side, true));
  fillRange(buf, end, buf.length, table(side, false));
}

/** Fills a source buffer with the pattern, marking `[windowStart, windowStart + windowLength)` as to be copied. */
export function fillSourcePattern(buf: Uint8Array, windowStart: number, windowLength: number): void {
  fill('source', buf, windowStart, windowLength);
}

/** Fills a destination buffer with the pattern, marking the window as to be overwritten. */
export function fillDestinationPattern(buf: Uint8Array, windowStart: number, windowLength: number): void {
  fill('destination', buf, windowStart, windowLength);
}
