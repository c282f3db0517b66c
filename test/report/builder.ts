/**
 * Builds conformance report fixtures for the report tests.
 */
import type { TraceEvent } from '../../src/trace/trace-event';
import { decideVerdict, warningRuleIds, type ConformanceReport, type RuleFailure, type RuleResult, type RuleStatus, type TransitionCoverage, type Verdict } from '../../src/report';

/** A small but realistic counterexample timeline. */
export function sampleTimeline(): TraceEvent[] {
  return [
    { seq: 0, kind: 'handler', text: 'DriverEntry(DriverObject#1)', cpu: 0, irql: 0 },
    { seq: 1, kind: 'call', text: 'NetDmaRegisterProvider(FDO#1, Characteristics{MajorVersion=2, MinorVersion=0})', cpu: 0, irql: 0, detail: { status: 'STATUS_SUCCESS' } },
    { seq: 2, kind: 'irp', text: 'IoCallDriver(FDO#1 -> PDO#1, IRP_MN_START_DEVICE)', cpu: 0, irql: 0 },
    { seq: 3, kind: 'register', text: 'WRITE32 CHANCTRL[0] <- 0x00000001', cpu: 0, irql: 0, detail: { offset: 0x80, value: 1 } },
    { seq: 4, kind: 'engine', text: 'channel 0: descriptor 0 fetched, 4096 bytes copied', cpu: 1 },
    { seq: 5, kind: 'interrupt', text: 'MSI vector 0x41 raised', cpu: 1, irql: 5 },
    { seq: 6, kind: 'dpc', text: 'KeInsertQueueDpc(ChannelDpc#0)', cpu: 1, irql: 2 },
    { seq: 7, kind: 'client', text: 'tcpip: NetDmaPrepareForCopy(channel 0, 2 descriptors)', cpu: 0, irql: 2 },
    { seq: 8, kind: 'return', text: 'ProviderAppendDma -> STATUS_SUCCESS', cpu: 0, irql: 2 },
    { seq: 9, kind: 'note', text: 'completion address not yet written', cpu: 0 },
    { seq: 10, kind: 'violation', text: 'ProviderAppendDma returned before the descriptor chain was linked', cpu: 0, irql: 2 },
  ];
}

/** A failure with realistic defaults. */
export function makeFailure(overrides: Partial<RuleFailure> = {}): RuleFailure {
  return {
    message: 'ProviderAppendDma returned before the descriptor chain was linked',
    interfaceVersion: '2.0',
    property: 'channel model: append / complete',
    counterexample: sampleTimeline(),
    steps: ['StartDevice', 'AllocateChannel(0)', 'AppendDma(channel 0, 2 descriptors)', 'Interrupt(channel 0)'],
    replay: 'seed=42:path=3:1:0',
    replayCommand: 'npx netdma-conformance check candidates/ioat.ts --replay "seed=42:path=3:1:0"',
    numRunsToFailure: 17,
    shrinks: 9,
    ...overrides,
  };
}

/** A rule with the given status; failed rules get a failure unless one is given. */
export function makeRule(id: string, status: RuleStatus, overrides: Partial<RuleResult> = {}): RuleResult {
  const base: RuleResult = {
    id,
    family: id.split('-')[0]!.toLowerCase(),
    level: 'MUST',
    statement: `Statement of ${id}.`,
    status,
    sources: { facts: [`F-${id}`], docs: ['starting-a-netdma-provider.md', 'nf-netdma-netdmaregisterprovider.md'] },
    exercised: status === 'not-exercised' ? 0 : 12,
    ...overrides,
  };
  if (status === 'waived') return { ...base, failure: base.failure ?? makeFailure(), waiver: base.waiver ?? { reason: 'waived in the fixture' } };
  if (status === 'fail' && base.failure === undefined) return { ...base, failure: makeFailure() };
  if (status !== 'fail' && base.failure !== undefined) {
    const { failure: _dropped, ...rest } = base;
    return rest;
  }
  return base;
}

/** The PnP transitions used by fixtures (some covered, some not). */
export function sampleTransitions(): TransitionCoverage[] {
  return [
    { from: 'Added', event: 'IRP_MN_START_DEVICE', to: 'Started', covered: 40 },
    { from: 'Started', event: 'IRP_MN_QUERY_STOP_DEVICE', to: 'StopPending', covered: 7 },
    { from: 'StopPending', event: 'IRP_MN_CANCEL_STOP_DEVICE', to: 'Started', covered: 3 },
    { from: 'StopPending', event: 'IRP_MN_STOP_DEVICE', to: 'Stopped', covered: 4 },
    { from: 'Stopped', event: 'IRP_MN_START_DEVICE', to: 'Started', covered: 2 },
    { from: 'Started', event: 'IRP_MN_QUERY_REMOVE_DEVICE', to: 'RemovePending', covered: 5 },
    { from: 'RemovePending', event: 'IRP_MN_CANCEL_REMOVE_DEVICE', to: 'Started', covered: 0 },
    { from: 'RemovePending', event: 'IRP_MN_REMOVE_DEVICE', to: 'Removed', covered: 5 },
    { from: 'Started', event: 'IRP_MN_SURPRISE_REMOVAL', to: 'SurpriseRemoved', covered: 1 },
    { from: 'SurpriseRemoved', event: 'IRP_MN_REMOVE_DEVICE', to: 'Removed', covered: 0 },
    { from: 'Started', event: 'IRP_MN_QUERY_CAPABILITIES', to: 'Started', covered: 11 },
    { from: 'Stopped', event: 'IRP_MN_REMOVE_DEVICE', to: 'Removed', covered: 0 },
  ];
}

/** Recomputes the derived fields (coverage counts, warnings; verdict unless `verdict` is given). */
export function finalize(report: ConformanceReport, verdict?: Verdict): ConformanceReport {
  return {
    ...report,
    verdict: verdict ?? decideVerdict(report.rules, report.errors.length, report.strict),
    warnings: warningRuleIds(report.rules, report.strict),
    coverage: {
      ...report.coverage,
      rulesExercised: report.rules.filter((r) => r.status !== 'not-exercised').length,
      rulesTotal: report.rules.length,
      transitionsCovered: report.coverage.transitions.filter((t) => t.covered > 0).length,
      transitionsTotal: report.coverage.transitions.length,
    },
  };
}

/** Parts of a report a test may set; the rest gets realistic defaults and derived fields are recomputed. */
export interface ReportParts {
  rules?: RuleResult[];
  transitions?: TransitionCoverage[];
  errors?: ConformanceReport['errors'];
  overrides?: Partial<ConformanceReport>;
}

/** A consistent report. */
export function makeReport(parts: ReportParts = {}): ConformanceReport {
  const rules = parts.rules ?? [
    makeRule('PNP-START-001', 'pass'),
    makeRule('PNP-STOP-002', 'pass', { level: 'SHOULD' }),
    makeRule('PNP-REMOVE-003', 'not-exercised'),
    makeRule('CHANNEL-APPEND-001', 'fail', { statement: 'ProviderAppendDma links the new descriptors before it returns.' }),
    makeRule('CHANNEL-RESET-002', 'pass', { level: 'DERIVED' }),
    makeRule('DMA-COMPLETE-001', 'pass'),
  ];
  const base: ConformanceReport = {
    schemaVersion: 2,
    tool: { name: 'netdma-conformance', version: '0.1.0' },
    verdict: 'conformant',
    strict: false,
    warnings: [],
    candidate: { path: 'candidates/ioat-provider.ts', name: 'I/OAT provider (reference)' },
    interfaceVersions: ['1.0', '1.1', '2.0'],
    seed: 42,
    runs: 1000,
    startedAt: '2025-01-15T10:20:30.000Z',
    durationMs: 12345,
    environment: { node: 'v20.20.2', platform: 'linux' },
    rules,
    ambiguities: [
      { id: 'AMB-001', title: 'May ProviderAppendDma be called at DISPATCH_LEVEL before the channel is started?', decision: 'No: the suite only appends to started channels.' },
      { id: 'AMB-002', title: 'Completion write ordering', decision: 'The completion address is written after the last byte is copied.' },
    ],
    coverage: {
      rulesExercised: 0,
      rulesTotal: 0,
      transitionsCovered: 0,
      transitionsTotal: 0,
      transitions: parts.transitions ?? sampleTransitions(),
      code: { linesPct: 83.4, dir: 'candidates' },
    },
    errors: parts.errors ?? [],
    ...parts.overrides,
  };
  return finalize(base, parts.overrides?.verdict);
}
