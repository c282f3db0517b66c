/**
 * fast-check arbitraries of valid conformance reports, with hostile strings everywhere a
 * candidate or a spec author could put text.
 */
import * as fc from 'fast-check';
import type { TraceEvent } from '../../src/trace/trace-event';
import { INTERFACE_VERSIONS, RULE_LEVELS, RULE_STATUSES, TRACE_EVENT_KINDS } from '../../src/report';
import type { Ambiguity, ConformanceReport, RuleFailure, RuleResult, TransitionCoverage } from '../../src/report';
import { applyWaivers, waiverFileHash } from '../../src/report/waivers';
import { finalize } from './builder';

/** Statuses a run gives before waivers are applied (a waiver turns `fail` into `waived`). */
export const RUN_STATUSES = RULE_STATUSES.filter((s) => s !== 'waived');

/** The run's waiver file applied to its rules: the rules at `picks` (and one rule the run does not have) are waived. */
function withWaivers(report: ConformanceReport, picks: readonly number[] | null, reasons: readonly string[]): ConformanceReport {
  if (picks === null) return report;
  const ids = picks.map((i) => report.rules[i]?.id).filter((id): id is string => id !== undefined);
  const entries = [...new Set([...ids, 'UNUSED-WAIVER-01'])].map((rule, i) => ({ rule, reason: reasons[i % Math.max(1, reasons.length)] || 'a reason' }));
  const set = { file: 'netdma-conformance.json', sha256: waiverFileHash(JSON.stringify(entries)), entries };
  const { rules, waivers } = applyWaivers(report.rules, set, '2000-01-01');
  return finalize({ ...report, rules, ...(waivers ? { waivers } : {}) });
}

/** `fc.record` making plain objects only (null-prototype objects never come out of JSON). */
const rec = ((model: Record<string, fc.Arbitrary<unknown>>, constraints: object = {}) =>
  fc.record(model, { ...constraints, noNullPrototype: true })) as unknown as typeof fc.record;

/** Strings chosen to break writers: markup, entities, control characters, lone surrogates, emoji, long lines. */
export const NASTY_CONSTANTS = [
  '<script>alert(1)</script>',
  '</script><script>alert("x")</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '&amp; &lt; &#x41; &',
  ']]>',
  '<![CDATA[x]]>',
  '<!-- comment -->',
  '\u0000\u0001\u0008\u000B\u000C\u001B\u007F\u0085',
  '\uD800 lone high, lone low \uDFFF',
  '\uFFFE\uFFFF',
  '😀 👩‍👩‍👧 🇫🇷',
  'a | b | c',
  '`code` *bold* _it_ [link](javascript:alert(1)) # heading',
  'line1\r\nline2\rline3\nline4\ttab',
  '```\nfence\n```',
  '${x} {{y}}',
  '%zz %41 /../..\\..\\C:\\x',
  'IRP_MN_START_DEVICE',
  ' ',
  '',
] as const;

const longLine = fc.integer({ min: 2000, max: 6000 }).map((n) => 'x<&"'.repeat(Math.ceil(n / 4)).slice(0, n));

/** Any string, biased towards hostile ones. */
export const nastyString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      { weight: 4, arbitrary: fc.constantFrom(...NASTY_CONSTANTS) },
      { weight: 1, arbitrary: longLine },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => parts.join(''));

/** A hostile string that is not empty. */
export const nastyNonEmpty: fc.Arbitrary<string> = nastyString.map((s) => (s.length === 0 ? '<&>' : s));

const jsonValue = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** A trace event; `detail` is JSON data (keys never `__proto__`, which zod records drop). */
export const traceEventArb: fc.Arbitrary<TraceEvent> = rec(
  {
    seq: fc.nat(100_000),
    kind: fc.constantFrom(...TRACE_EVENT_KINDS),
    text: nastyString,
    cpu: fc.nat(63),
    irql: fc.nat(31),
    detail: fc.dictionary(
      nastyString.filter((k) => k !== '__proto__'),
      jsonValue,
      { maxKeys: 3, noNullPrototype: true },
    ),
  },
  { requiredKeys: ['seq', 'kind', 'text'] },
);

export const failureArb: fc.Arbitrary<RuleFailure> = rec(
  {
    message: nastyString,
    interfaceVersion: fc.constantFrom(...INTERFACE_VERSIONS),
    property: nastyString,
    counterexample: fc.array(traceEventArb, { maxLength: 6 }),
    steps: fc.array(nastyString, { maxLength: 4 }),
    replay: nastyString,
    replayCommand: nastyString,
    numRunsToFailure: fc.integer({ min: 1, max: 10_000 }),
    shrinks: fc.nat(500),
    location: rec({ file: nastyNonEmpty, line: fc.integer({ min: 1, max: 100_000 }), column: fc.integer({ min: 1, max: 500 }) }),
  },
  { requiredKeys: ['message', 'interfaceVersion', 'property', 'counterexample', 'steps', 'replay', 'replayCommand'] },
);

const docArb = fc.oneof(
  fc.constantFrom('starting-a-netdma-provider.md', 'nf-netdma-netdmaregisterprovider.md', 'netdma-provider-services.md', 'https://example.com/doc#x', 'network/stopping-a-netdma-provider.md'),
  nastyString,
);

const familyArb = fc.oneof(fc.constantFrom('pnp', 'channel', 'dma', 'power'), nastyNonEmpty);

export const ruleArb: fc.Arbitrary<RuleResult> = fc
  .tuple(
    rec({
      id: nastyNonEmpty,
      family: familyArb,
      level: fc.constantFrom(...RULE_LEVELS),
      statement: nastyString,
      status: fc.constantFrom(...RUN_STATUSES),
      sources: rec({ facts: fc.array(nastyString, { maxLength: 3 }), docs: fc.array(docArb, { maxLength: 3 }) }),
      exercised: fc.nat(1000),
    }),
    failureArb,
  )
  .map(([rule, failure]): RuleResult => (rule.status === 'fail' ? { ...rule, failure } : rule));

const stateArb = fc.oneof(fc.constantFrom('Added', 'Started', 'StopPending', 'Stopped', 'RemovePending', 'Removed'), nastyString);

export const transitionArb: fc.Arbitrary<TransitionCoverage> = rec({
  from: stateArb,
  event: fc.oneof(fc.constantFrom('IRP_MN_START_DEVICE', 'IRP_MN_STOP_DEVICE', 'IRP_MN_REMOVE_DEVICE'), nastyString),
  to: stateArb,
  covered: fc.oneof(fc.constant(0), fc.nat(10_000)),
});

const transitionsArb = fc.uniqueArray(transitionArb, { maxLength: 10, selector: (t) => JSON.stringify([t.from, t.event, t.to]) });
const ambiguitiesArb: fc.Arbitrary<Ambiguity[]> = fc.uniqueArray(rec({ id: nastyNonEmpty, title: nastyString, decision: nastyString }), {
  maxLength: 3,
  selector: (a) => a.id,
});
const errorsArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<ConformanceReport['errors']>([]) },
  { weight: 1, arbitrary: fc.array(rec({ message: nastyString, detail: nastyString }, { requiredKeys: ['message'] }), { minLength: 1, maxLength: 2 }) },
);
const dateArb = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** The parts of a report that shards of one run share. */
export interface RunIdentity {
  tool: ConformanceReport['tool'];
  candidate: ConformanceReport['candidate'];
  interfaceVersions: ConformanceReport['interfaceVersions'];
  seed: number;
  /** Whether the run was strict (shards of one run agree). */
  strict: boolean;
}

export const runIdentityArb: fc.Arbitrary<RunIdentity> = rec({
  tool: rec({ name: fc.constant('netdma-conformance' as const), version: nastyString }),
  candidate: rec({ path: nastyNonEmpty, name: nastyString }),
  interfaceVersions: fc.subarray([...INTERFACE_VERSIONS], { minLength: 1 }),
  seed: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  strict: fc.boolean(),
});

/** A valid report for the given run identity (derived fields consistent). */
export function reportFor(identity: RunIdentity, opts: { withShard?: boolean } = {}): fc.Arbitrary<ConformanceReport> {
  return fc
    .record(
      {
        incomplete: rec({ reason: nastyString }),
        runs: fc.nat(100_000),
        shard: fc.integer({ min: 1, max: 8 }).chain((count) => rec({ index: fc.integer({ min: 0, max: count - 1 }), count: fc.constant(count) })),
        startedAt: dateArb,
        durationMs: fc.oneof(fc.nat(10_000_000), fc.double({ min: 0, max: 1e7, noNaN: true })),
        environment: rec({ node: fc.oneof(fc.constant('v20.20.2'), nastyString), platform: fc.oneof(fc.constant('linux'), nastyString) }),
        rules: fc.uniqueArray(ruleArb, { maxLength: 7, selector: (r) => r.id }),
        ambiguities: ambiguitiesArb,
        transitions: transitionsArb,
        code: rec({ linesPct: fc.double({ min: 0, max: 100, noNaN: true }), dir: nastyString }),
        errors: errorsArb,
        waive: fc.option(fc.subarray([0, 1, 2, 3, 4, 5, 6]), { freq: 2 }),
        reasons: fc.array(nastyNonEmpty.filter((x) => x.trim() !== ''), { minLength: 1, maxLength: 3 }),
      },
      { requiredKeys: ['runs', 'startedAt', 'durationMs', 'environment', 'rules', 'ambiguities', 'transitions', 'errors', 'waive', 'reasons'] },
    )
    .map((p) => {
      const report: ConformanceReport = {
        schemaVersion: 2,
        tool: identity.tool,
        verdict: 'conformant',
        strict: identity.strict,
        warnings: [],
        ...(p.incomplete !== undefined ? { incomplete: p.incomplete } : {}),
        candidate: identity.candidate,
        interfaceVersions: identity.interfaceVersions,
        seed: identity.seed,
        runs: p.runs,
        ...(opts.withShard !== false && p.shard !== undefined ? { shard: p.shard } : {}),
        startedAt: p.startedAt,
        durationMs: p.durationMs,
        environment: p.environment,
        rules: p.rules,
        ambiguities: p.ambiguities,
        coverage: {
          rulesExercised: 0,
          rulesTotal: 0,
          transitionsCovered: 0,
          transitionsTotal: 0,
          transitions: p.transitions,
          ...(p.code !== undefined ? { code: p.code } : {}),
        },
        errors: p.errors,
      };
      return withWaivers(finalize(report), opts.withShard === false ? null : p.waive, p.reasons);
    });
}

/** Any valid report. */
export const reportArb: fc.Arbitrary<ConformanceReport> = runIdentityArb.chain((id) => reportFor(id));

/**
 * Shard reports of one run: same identity, and the static parts (rule metadata, ambiguity
 * decisions) agree, as they do between real shards; statuses, counts and failures differ.
 */
export function shardsArb(count: number): fc.Arbitrary<ConformanceReport[]> {
  return fc
    .tuple(runIdentityArb, reportFor({ tool: { name: 'netdma-conformance', version: '0' }, candidate: { path: 'x', name: 'x' }, interfaceVersions: ['2.0'], seed: 0, strict: false }))
    .chain(([identity, template]) =>
      fc
        .array(
          fc.tuple(
            reportFor(identity, { withShard: false }),
            fc.array(fc.tuple(fc.constantFrom(...RUN_STATUSES), fc.nat(50), failureArb), {
              minLength: template.rules.length,
              maxLength: template.rules.length,
            }),
            fc.array(fc.nat(20), { minLength: template.coverage.transitions.length, maxLength: template.coverage.transitions.length }),
            fc.oneof(
              { weight: 2, arbitrary: fc.constant(template.rules.map((_, i) => i)) },
              { weight: 1, arbitrary: fc.subarray(template.rules.map((_, i) => i)) },
            ),
          ),
          { minLength: count, maxLength: count },
        )
        .chain((parts) => fc.tuple(fc.constant(parts), fc.option(fc.subarray(template.rules.map((_, i) => i)), { freq: 2 })))
        .map(([parts, waive]) =>
          parts.map(([own, statuses, covered, ruleSubset], index) => {
            const rules = ruleSubset.map((i): RuleResult => {
              const { failure: _f, ...meta } = template.rules[i]!;
              const [status, exercised, failure] = statuses[i]!;
              return status === 'fail' ? { ...meta, status, exercised, failure } : { ...meta, status, exercised };
            });
            const { waivers: _w, ...ownRest } = own;
            const shard = finalize({
              ...ownRest,
              shard: { index, count },
              rules,
              ambiguities: template.ambiguities,
              coverage: { ...own.coverage, transitions: template.coverage.transitions.map((t, i) => ({ ...t, covered: covered[i]! })) },
            });
            // Every shard of one run carries the same waiver file (the template's rules it names).
            if (waive === null) return shard;
            const entries = [...waive.map((i) => template.rules[i]!.id), 'UNUSED-WAIVER-01'].map((rule) => ({ rule, reason: `waived: ${rule}` }));
            const set = { file: 'netdma-conformance.json', sha256: waiverFileHash(JSON.stringify(entries)), entries };
            const applied = applyWaivers(shard.rules, set, '2000-01-01');
            return finalize({ ...shard, rules: applied.rules, ...(applied.waivers ? { waivers: applied.waivers } : {}) });
          }),
        ),
    );
}
