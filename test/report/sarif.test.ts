import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, toSarif, type ConformanceReport, type RuleFailure } from '../../src/report';
import { reportArb } from './arbitraries';
import { makeFailure, makeReport, makeRule } from './builder';

// The official SARIF 2.1.0 schema as shipped in the npm package @microsoft/sarif-multitool-linux@5.7.0
// (package/sarif-2.1.0.json); see fixtures/README.md.
const schema = JSON.parse(readFileSync(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: any[] } };
    invocations: any[];
    results: any[];
    properties: Record<string, unknown>;
  }[];
}

function sarif(report: ConformanceReport): SarifLog {
  const log = JSON.parse(toSarif(report)) as SarifLog;
  if (!validate(log)) throw new Error(`SARIF does not validate: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  return log;
}

describe('toSarif', () => {
  it('the validator rejects a broken log (the schema has teeth)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] })).toBe(false);
  });

  it('writes a valid SARIF 2.1.0 log with every rule and one result per failed rule', () => {
    const report = makeReport({
      rules: [
        makeRule('PNP-START-001', 'pass'),
        makeRule('CHANNEL-APPEND-001', 'fail'),
        makeRule('CHANNEL-RESET-002', 'fail', { level: 'SHOULD', failure: makeFailure({ location: { file: 'src/channel.ts', line: 120, column: 7 } }) }),
        makeRule('DMA-COMPLETE-001', 'not-exercised', { level: 'DERIVED' }),
      ],
    });
    const log = sarif(report);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'netdma-conformance', version: '0.1.0' });
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(report.rules.map((r) => r.id));
    expect(run.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: 'PNP-START-001 (MUST)' },
      fullDescription: { text: 'Statement of PNP-START-001.' },
      helpUri: 'https://learn.microsoft.com/en-us/previous-versions/windows/hardware/network/starting-a-netdma-provider',
      properties: { family: 'pnp', level: 'MUST', sources: { facts: ['F-PNP-START-001'] } },
    });
    expect(run.results.map((r) => [r.ruleId, r.level, r.ruleIndex])).toEqual([
      ['CHANNEL-APPEND-001', 'error', 1],
      ['CHANNEL-RESET-002', 'warning', 2],
    ]);
    const [must, should] = run.results;
    expect(must.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'candidates/ioat-provider.ts', uriBaseId: '%SRCROOT%' } });
    expect(should.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'src/channel.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 120, startColumn: 7 },
    });
    const flow = must.codeFlows[0].threadFlows[0].locations;
    expect(flow).toHaveLength(11);
    expect(flow[2]).toMatchObject({ location: { message: { text: 'IoCallDriver(FDO#1 -> PDO#1, IRP_MN_START_DEVICE)' } }, properties: { kind: 'irp', seq: 2 } });
    expect(must.message.text).toContain('Replay: npx netdma-conformance check');
    expect(must.properties).toMatchObject({ interfaceVersion: '2.0', replay: 'seed=42:path=3:1:0', numRunsToFailure: 17, shrinks: 9 });
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: true, startTimeUtc: '2025-01-15T10:20:30.000Z', endTimeUtc: '2025-01-15T10:20:42.345Z' });
  });

  it('maps absolute and Windows paths to file URIs and notes harness errors', () => {
    const report = makeReport({
      rules: [makeRule('A-1', 'fail', { failure: makeFailure({ location: { file: 'C:\\drivers\\my provider.ts', line: 1, column: 1 } }) })],
      errors: [{ message: 'watchdog fired' }],
      overrides: { candidate: { path: '/work/candidates/my provider#1.ts', name: 'x' } },
    });
    const log = sarif(report);
    expect(log.runs[0]!.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'file:///C:/drivers/my%20provider.ts' });
    expect(log.runs[0]!.invocations[0]).toMatchObject({ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: 'watchdog fired' } }] });
  });

  it('for arbitrary reports: validates against the official schema; results match failed rules', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const log = sarif(report);
        const run = log.runs[0]!;
        expect(run.tool.driver.rules.map((r) => r.id)).toEqual(report.rules.map((r) => r.id));
        // Waived failures are results too, suppressed with the team's reason; never absent, never passes.
        const failed = report.rules.filter((r) => r.status === 'fail' || r.status === 'waived');
        expect(run.results.map((r) => r.ruleId)).toEqual(failed.map((r) => r.id));
        run.results.forEach((res, i) => {
          const f = failed[i]!.failure!;
          expect(res.properties.level).toBe(failed[i]!.level);
          expect(res.suppressions?.[0]?.justification?.startsWith(failed[i]!.waiver?.reason ?? '\u0000') ?? false).toBe(failed[i]!.status === 'waived');
          expect(res.level).toBe(failed[i]!.level === 'SHOULD' && !report.strict ? 'warning' : 'error');
          const locations = res.codeFlows?.[0].threadFlows[0].locations ?? [];
          expect(locations.map((l: any) => l.properties.kind)).toEqual(f.counterexample.map((e) => e.kind));
          expect(res.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
        });
        // One result per rule, and each rule its own alert.
        const prints = run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
        expect(new Set(prints).size).toBe(prints.length);
      }),
      { seed: 42, numRuns: 150 },
    );
  });
});

describe('toSarif for GitHub code scanning', () => {
  /** A report whose one failure (PNP-REM-02) is located at src/channel.ts:120:7 beside the candidate, unless `unlocated`. */
  const located = (failure: Partial<RuleFailure> = {}, candidatePath = 'drivers/ioat/provider.ts', unlocated = false) =>
    makeReport({
      rules: [
        makeRule('PNP-REM-02', 'fail', {
          failure: makeFailure({ ...(unlocated ? {} : { location: { file: 'src/channel.ts', line: 120, column: 7 } }), ...failure }),
        }),
      ],
      overrides: { candidate: { path: candidatePath, name: 'x' } },
    });
  const fingerprint = (report: ConformanceReport): string => sarif(report).runs[0]!.results[0].partialFingerprints[FINGERPRINT_KEY];

  it('fingerprints a result by rule, candidate-relative file and counterexample shape, stable across runs', () => {
    const base = fingerprint(located());
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    // What a rerun, another shard or another machine changes: the same alert.
    expect(fingerprint(located())).toBe(base);
    expect(fingerprint(located({ replay: 'ndc1.other', replayCommand: 'npx netdma-conformance check x --replay ndc1.other', numRunsToFailure: 3, shrinks: 40, interfaceVersion: '1.0' }))).toBe(base);
    expect(fingerprint(located({}, '/home/runner/work/repo/drivers/ioat/provider.ts'))).toBe(base);
    expect(fingerprint(located({ location: { file: 'src/channel.ts', line: 180, column: 3 } }))).toBe(base);
    expect(fingerprint(located({ steps: ['StartDevice', 'AllocateChannel(1)', 'AppendDma(channel 1, 7 descriptors)', 'Interrupt(channel 1)'] }))).toBe(base);
    expect(fingerprint(located({ message: 'other wording', counterexample: [] }))).toBe(base);
    // What makes it another alert.
    const others = [
      fingerprint(makeReport({ rules: [makeRule('PNP-REM-03', 'fail', { failure: makeFailure({ location: { file: 'src/channel.ts', line: 120, column: 7 } }) })], overrides: { candidate: { path: 'drivers/ioat/provider.ts', name: 'x' } } })),
      fingerprint(located({ location: { file: 'src/pnp.ts', line: 120, column: 7 } })),
      fingerprint(located({}, 'drivers/ioat/provider.ts', true)),
      fingerprint(located({ steps: ['StartDevice', 'AllocateChannel(0)', 'FreeChannel(0)'] })),
      fingerprint(located({ property: 'lifecycle' })),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('locates the violation step at the violating call, and any step whose event carries a location', () => {
    const counterexample = [
      { seq: 0, kind: 'handler' as const, text: 'DriverEntry(DriverObject#1)' },
      { seq: 1, kind: 'call' as const, text: 'IoCreateDevice', detail: { location: { file: 'src/add-device.ts', line: 31, column: 5 } } },
      { seq: 2, kind: 'call' as const, text: 'NetDmaDeregisterProvider', detail: { location: { file: 'src/pnp.ts', line: 0 } } },
      { seq: 3, kind: 'violation' as const, text: 'PNP-REM-02: provider#1 is deregistered while started', detail: { ruleId: 'PNP-REM-02' } },
    ];
    const flow = sarif(located({ counterexample })).runs[0]!.results[0].codeFlows[0].threadFlows[0].locations;
    expect(flow.map((l: any) => l.location.physicalLocation)).toEqual([
      undefined,
      { artifactLocation: { uri: 'src/add-device.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 31, startColumn: 5 } },
      undefined, // line 0 is no location
      { artifactLocation: { uri: 'src/channel.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 120, startColumn: 7 } },
    ]);
    // Without a known location, no step is located.
    const bare = sarif(located({ counterexample: counterexample.slice(2) }, 'drivers/ioat/provider.ts', true)).runs[0]!.results[0].codeFlows[0].threadFlows[0].locations;
    expect(bare.map((l: any) => l.location.physicalLocation)).toEqual([undefined, undefined]);
  });
});
