/**
 * The data-path model (the oracle for the simulated engine) and the dmatest-style byte oracle.
 *
 * @module
 */
export { runDatapath } from './model';
export type {
  DatapathConfig,
  DatapathOp,
  DatapathEvent,
  DatapathOutcome,
  DatapathRegisters,
  DatapathResult,
  DatapathWrite,
  ProcessedDescriptor,
} from './types';
export { modelMemoryOf, modelRead, modelReadU32, modelReadU64, modelWrite, modelWriteU64, modelContains } from './memory';
export type { ModelMemory } from './memory';
export { checkCopy, diffRanges, formatVerdict, MAX_LISTED_MISMATCHES } from './oracle';
export type { ByteFinding, ByteMismatch, CopyCheck, CopyVerdict, WindowRegion } from './oracle';
export {
  fillSourcePattern,
  fillDestinationPattern,
  patternByte,
  PATTERN_SRC,
  PATTERN_COPY,
  PATTERN_OVERWRITE,
  PATTERN_COUNT_MASK,
} from './pattern';
