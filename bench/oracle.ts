/**
 * Figure 2: the dmatest-style byte oracle (`checkCopy` with window, source and guard checks)
 * over `Buffer.compare` of the same bytes.
 *
 * The oracle checks a correct copy (the common case: every region compares equal): source
 * before/inside/after the window unchanged, destination before/after unchanged within the
 * guards, destination window equal to the source window. The baseline compares exactly those
 * byte ranges with `Buffer.prototype.compare` (ranges, no views).
 *
 * @module
 */
import { checkCopy, fillDestinationPattern, fillSourcePattern } from '../src/model/datapath';
import type { CopyCheck } from '../src/model/datapath';
import { calibrate, measurePair, rate, warmUp } from './stats';
import type { PairSamples } from './stats';

/** Guard bytes checked on each side of the window (and as many again left unchecked beyond them). */
export const ORACLE_GUARD = 1024;

/** One prepared oracle benchmark for a `length`-byte window. */
export interface OracleRig {
  readonly length: number;
  /** Bytes each run examines (same for both sides). */
  readonly bytesExamined: number;
  runOracle(iterations: number): void;
  runBaseline(iterations: number): void;
}

export function makeOracleRig(length: number): OracleRig {
  const g = ORACLE_GUARD;
  const total = length + 4 * g;
  const off = 2 * g;
  const sourceBefore = Buffer.alloc(total);
  fillSourcePattern(sourceBefore, off, length);
  const sourceAfter = Buffer.from(sourceBefore);
  const destinationBefore = Buffer.alloc(total);
  fillDestinationPattern(destinationBefore, off, length);
  const destinationAfter = Buffer.from(destinationBefore);
  sourceBefore.copy(destinationAfter, off, off, off + length);
  const input: CopyCheck = { sourceBefore, sourceAfter, destinationBefore, destinationAfter, sourceOffset: off, destinationOffset: off, length, guardBefore: g, guardAfter: g };
  const first = checkCopy(input);
  if (!first.ok) throw new Error(`oracle rig ${length} B: the copy was judged wrong: ${first.findings.map((f) => f.message).join('; ')}`);
  let sink = 0;
  const runOracle = (iterations: number): void => {
    for (let i = 0; i < iterations; i++) if (!checkCopy(input).ok) sink++;
  };
  const lo = off - g;
  const hi = off + length + g;
  const runBaseline = (iterations: number): void => {
    for (let i = 0; i < iterations; i++) {
      // Source before/inside/after within the guards, destination before, window, after.
      sink += sourceBefore.compare(sourceAfter, lo, hi, lo, hi);
      sink += destinationBefore.compare(destinationAfter, lo, off, lo, off);
      sink += sourceBefore.compare(destinationAfter, off, off + length, off, off + length);
      sink += destinationBefore.compare(destinationAfter, off + length, hi, off + length, hi);
    }
  };
  if (sink !== 0) throw new Error('unreachable');
  return { length, bytesExamined: 2 * (length + 2 * g), runOracle, runBaseline };
}

export interface OracleFigure {
  readonly length: number;
  readonly samples: PairSamples;
}

/** Measures checkCopy vs Buffer.compare (bytes examined per second) for a `length`-byte window, after `warmupMs` of warm-up of each side. */
export function benchOracle(length: number, rounds: number, sampleMs: number, warmupMs = 0): OracleFigure {
  const rig = makeOracleRig(length);
  warmUp(rig.runOracle, warmupMs);
  warmUp(rig.runBaseline, warmupMs);
  const nO = calibrate(rig.runOracle, sampleMs);
  const nB = calibrate(rig.runBaseline, sampleMs);
  const samples = measurePair(
    rounds,
    () => rate(rig.runOracle, nO, rig.bytesExamined),
    () => rate(rig.runBaseline, nB, rig.bytesExamined),
  );
  return { length, samples };
}
