/**
 * netdma-conformance: the public API.
 *
 * - For a provider author: everything a candidate may use ({@link DriverImageLoader}, the WDK types
 *   and constants, {@link KernelServices}, the engine's register map and descriptor layout).
 * - For tooling: {@link runCheck} and the report schema, to run the suite and read its reports.
 *
 * @module
 */
export * from './candidate-api';
export { runCheck, loadCandidate, CandidateLoadError, REFERENCE_CANDIDATE, type CheckOptions, type CheckRun, type Candidate } from './runner';
export { ConformanceReportSchema, parseConformanceReport, type ConformanceReport, type RuleResult, type RuleFailure } from './report';
export { WAIVER_FILE_NAME, WaiverFileError, WaiverFileSchema, parseWaiverFile, type WaiverSet, type RuleBinding, type ReportWaivers } from './report';
export { findWaiverFile, loadWaivers, type WaiverChoice } from './runner';
export { RULES, AMBIGUITIES, type RuleId } from '../spec';
