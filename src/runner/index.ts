/**
 * Running the suite on a candidate: load it, check it, build the report.
 *
 * @module
 */
export { runCheck, ReplayMismatchError, REFERENCE_CANDIDATE, DEFAULT_RUNS, DEFAULT_SEED, SUITE_ROOT, toolVersion, type CheckOptions, type CheckRun, type RunProgress } from './check';
export { hashCandidate, type CandidateIdentity } from './candidate-hash';
export { loadCandidate, resolveCandidate, CandidateLoadError, type Candidate, type ResolvedCandidate } from './candidate';
export { planUnits, CHUNK, type WorkUnit, type PropertyName } from './units';
export { availableProperties } from './properties';
export { findWaiverFile, loadWaivers, type WaiverChoice } from './waivers';
