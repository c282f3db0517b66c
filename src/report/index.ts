/**
 * Conformance reports: the report schema, one writer per format, atomic writing of report
 * files and merging of sharded runs.
 *
 * @example
 * ```ts
 * import { parseConformanceReport, writeReports } from './report';
 * const report = parseConformanceReport(JSON.parse(text));
 * await writeReports(report, 'reports', ['json', 'junit', 'md', 'html', 'sarif']);
 * ```
 * @module
 */
export {
  AmbiguitySchema,
  ConformanceReportSchema,
  CoverageSchema,
  INTERFACE_VERSIONS,
  parseConformanceReport,
  ReportErrorSchema,
  READABLE_SCHEMA_VERSIONS,
  RULE_LEVELS,
  RULE_STATUSES,
  RuleBindingSchema,
  RuleFailureSchema,
  RuleResultSchema,
  RuleWaiverSchema,
  ReportWaiverSchema,
  ReportWaiversSchema,
  WAIVER_STATES,
  RuleSourcesSchema,
  SCHEMA_VERSION,
  SourceLocationSchema,
  TOOL_NAME,
  TRACE_EVENT_KINDS,
  TraceEventSchema,
  TransitionCoverageSchema,
  VERDICTS,
} from './schema';
export type {
  Ambiguity,
  ConformanceReport,
  Coverage,
  InterfaceVersion,
  ReportError,
  ReportWaiver,
  ReportWaivers,
  RuleBinding,
  RuleFailure,
  RuleWaiver,
  RuleLevel,
  RuleResult,
  RuleStatus,
  SourceLocation,
  TransitionCoverage,
  Verdict,
} from './schema';
export { toJson } from './json';
export { toJunit } from './junit';
export { toMarkdown } from './markdown';
export { DEFAULT_INFORMATION_URI, FINGERPRINT_KEY, SARIF_SCHEMA_URI, resultFingerprint, toSarif } from './sarif';
export type { SarifOptions } from './sarif';
export { toHtml } from './html';
export { REPORT_FILE_NAMES, REPORT_FORMATS, writeReports } from './write';
export type { ReportFormat } from './write';
export { mergeReports, betterFailure, type MergeOptions } from './merge';
export {
  WAIVER_FILE_NAME,
  WaiverEntrySchema,
  WaiverFileError,
  WaiverFileSchema,
  applyWaivers,
  parseWaiverFile,
  waiverExpired,
  waiverFileHash,
  waiverSetOf,
  type WaiverEntry,
  type WaiverSet,
} from './waivers';
export { decideVerdict, failsVerdict, levelFailsVerdict, warningRuleIds } from './verdict';
