import { describe, expect, it } from 'vitest';
import { RULES, type RuleId } from '../../spec';
import { FAULTY_DATAPATH } from '../../candidates/faulty/catalog-datapath';
import { faulty } from '../../candidates/faulty/faulty';
import { CHANNEL_REGISTERS, DCACTRL, ENGINE_CAPABILITY, ENGINE_FEATURE_DCA, IoatEngine, PhysicalMemory, REGISTER_BLOCK_SIZE } from '../../src/hardware';
import reference from '../../src/reference';
import readBeforeDmaCount from '../../test/fixtures/providers/read-before-dmacount';
import { decodeReplayToken } from '../replay-token';
import { SEED } from '../seed';
import type { DriverImageLoader } from '../../src/kernel';
import type { CopySpec } from '../../src/client/client-chain';
import type { DatapathInput } from './commands';
import { checkDatapath, formatFailure } from './property';
import { runDatapathWorkload } from './run-datapath';

/** Linked chains (NetDMA 1.x) and counted chains (2.0). */
const MODES = [['linked', '1.1'], ['counted', '2.0']] as const;

describe('the reference provider copies correctly through its handlers', () => {
  it.each(MODES)(`passes 500 copy workloads with %s chains (NetDMA %s, seed ${SEED})`, (_mode, iv) => {
    const r = checkDatapath(reference, { interfaceVersion: iv, seed: SEED, numRuns: 500 }, 'copies');
    if (r.failure) expect.fail(`reference rejected on NetDMA ${iv}:\n${formatFailure(r.failure, 'src/reference')}`);
    expect(r.stats.runs.copies).toBe(500);
    expect(r.stats.verifiedCopies).toBeGreaterThan(1000);
    for (const k of ['errors', 'isrs', 'dpcs', 'suspends', 'aborts', 'resets'] as const) expect(r.stats[k], k).toBeGreaterThan(0);
    const rules: RuleId[] = ['NDMA-CHAN-06', 'NDMA-CHAN-07', 'NDMA-CHAN-08', 'NDMA-DP-15', 'NDMA-DP-17', ...(iv === '2.0' ? (['NDMA-DCA-01', 'NDMA-DCA-02', 'NDMA-DCA-03', 'NDMA-DCA-04'] as const) : [])];
    for (const id of rules) expect(r.exercised.get(id) ?? 0, id).toBeGreaterThan(0);
  });
  it.each(MODES)(`passes 200 PnP-with-copies runs with %s chains (NetDMA %s, seed ${SEED})`, (_mode, iv) => {
    const r = checkDatapath(reference, { interfaceVersion: iv, seed: SEED, numRuns: 200 }, 'pnp');
    if (r.failure) expect.fail(`reference rejected on NetDMA ${iv}:\n${formatFailure(r.failure, 'src/reference')}`);
    expect(r.stats.runs.pnp).toBe(200);
    for (const t of ['StopPending|STOP|Stopped', 'Started|SURPRISE_REMOVAL|SurpriseRemoved', 'Started|SET_POWER(D3)|Started']) expect([...r.transitions.keys()], t).toContain(t);
    expect(r.exercised.get('PWR-07') ?? 0, 'PWR-07').toBeGreaterThan(0);
  });
  it('passes NetDMA 1.0 (linked chains, no power notifications)', () => {
    const r = checkDatapath(reference, { interfaceVersion: '1.0', seed: SEED, numRuns: 200 });
    if (r.failure) expect.fail(formatFailure(r.failure, 'src/reference'));
    expect(r.exercised.get('PWR-09') ?? 0, 'PWR-09').toBeGreaterThan(0);
  });

  const dcaCopy = (length: number) => ({ kind: 'copy', length, srcSkew: 1, dstSkew: 2, status: true, interrupt: true, serialize: false, dca: true, pageBreak: 'none' }) as const;
  it('sends a DCA provider context changes after allocation and power-up; hints follow the last one, status writes start on CpuNumber (2.0)', () => {
    const input: DatapathInput = {
      workload: 'pnp',
      commands: [
        { kind: 'Allocate' },
        { kind: 'Copy', channel: 0, copies: [dcaCopy(200), dcaCopy(64)] },
        { kind: 'Check' },
        { kind: 'Pnp', event: 'power-cycle' },
        { kind: 'Copy', channel: 0, copies: [dcaCopy(300)] },
        { kind: 'Check' },
        { kind: 'Reset', channel: 0 },
        { kind: 'Copy', channel: 0, copies: [dcaCopy(100)] },
        { kind: 'Check' },
      ],
      choices: [0, 1, 0, 2, 1, 3, 0, 1, 2, 3, 1, 2],
    };
    const r = runDatapathWorkload(reference, input, { interfaceVersion: '2.0' });
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.harnessError).toBeNull();
    const texts = r.trace.map((e) => e.text);
    expect(texts.filter((t) => /NetDMA starts channel#1 with a context change to APIC id \d+ at/.test(t)).length).toBe(3); // allocation, power-up, reset
    expect(texts.some((t) => /lost power: function reset/.test(t))).toBe(true);
    expect(texts.some((t) => /copy 300 B .* DCA->APIC \d+/.test(t))).toBe(true);
    for (const id of ['NDMA-DCA-01', 'NDMA-DCA-03', 'NDMA-DCA-04', 'PWR-07', 'NDMA-CHAN-06'] as const) expect(r.exercised.get(id) ?? 0, id).toBeGreaterThan(0);
    expect(r.stats.verifiedCopies).toBe(4);
  });
  it('restarts a 1.0 provider\'s channels with a NULL-operation Start once the device is back in D0 (PWR-09)', () => {
    const copy = { ...dcaCopy(128), dca: false } as const;
    const input: DatapathInput = {
      workload: 'pnp',
      commands: [{ kind: 'Allocate' }, { kind: 'Copy', channel: 0, copies: [copy, copy] }, { kind: 'Pnp', event: 'power-cycle' }, { kind: 'Copy', channel: 0, copies: [copy] }, { kind: 'Check' }],
      choices: [],
    };
    const r = runDatapathWorkload(reference, input, { interfaceVersion: '1.0' });
    expect(r.violation, r.violation?.message).toBeNull();
    const texts = r.trace.map((e) => e.text);
    expect(texts.some((t) => /NetDMA starts channel#1 with a NULL operation at 0x[0-9a-f]+ \(power-up\)/.test(t))).toBe(true);
    expect(texts.some((t) => /context change/.test(t))).toBe(false);
    expect(r.exercised.get('PWR-09') ?? 0).toBeGreaterThan(0);
    expect(r.stats.verifiedCopies).toBe(3);
  });

  it.each(MODES)('reports an injected fault (NULL to NetDmaInterruptDpc, Halted word) and works again after Reset + Start (%s)', (_mode, iv) => {
    const copy = (interrupt: boolean) => ({ kind: 'copy', length: 300, srcSkew: 3, dstSkew: 5, status: true, interrupt, serialize: false, dca: false, pageBreak: 'none' }) as const;
    const input: DatapathInput = {
      workload: 'copies',
      commands: [
        { kind: 'Allocate' },
        { kind: 'Fault', channel: 0, fault: 'read-data' },
        { kind: 'Copy', channel: 0, copies: [copy(true), copy(true)] },
        { kind: 'Check' },
        { kind: 'Reset', channel: 0 },
        { kind: 'Copy', channel: 0, copies: [copy(false), copy(true)] },
        { kind: 'Check' },
      ],
      choices: [],
    };
    const r = runDatapathWorkload(reference, input, { interfaceVersion: iv });
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.harnessError).toBeNull();
    const texts = r.trace.map((e) => e.text);
    expect(texts.some((t) => /CHANERR 0x100 READ_DATA, halted/.test(t))).toBe(true);
    // The Halted completion word (PA | 3) for the faulting descriptor.
    expect(texts.some((t) => /READ_DATA, halted \(injected, CHANCMP@0x[0-9a-f]+ <- 0x[0-9a-f]*3[,)]/.test(t))).toBe(true);
    const dpcs = texts.filter((t) => t.startsWith('NetDmaInterruptDpc('));
    expect(dpcs[0]).toMatch(/^NetDmaInterruptDpc\(0x0\)/);
    expect(dpcs.at(-1)).not.toMatch(/^NetDmaInterruptDpc\(0x0\)/);
    // Both copies after the reset were verified by the byte oracle.
    expect(r.stats.verifiedCopies).toBe(2);
  });
});

describe('plain copies, maximum-size copies, interrupts until NetDmaProviderStop, what an ISR writes', () => {
  const copy = (over: Partial<CopySpec> = {}): CopySpec => ({ kind: 'copy', length: 256, srcSkew: 1, dstSkew: 3, status: false, interrupt: false, serialize: false, dca: false, pageBreak: 'none', ...over });
  const run = (loader: DriverImageLoader, input: Omit<DatapathInput, 'choices'>, iv: '1.0' | '1.1' | '2.0' = '2.0') => runDatapathWorkload(loader, { ...input, choices: [] }, { interfaceVersion: iv });

  it.each(MODES)('NDMA-DP-20: a ControlFlags-0 descriptor is copied with no status write and no interrupt; a provider that adds them fails (%s)', (_mode, iv) => {
    const input = { workload: 'copies', engineDca: false, commands: [{ kind: 'Allocate' }, { kind: 'Copy', channel: 0, copies: [copy(), copy({ status: true })] }, { kind: 'Check' }] } as const;
    const ok = run(reference, input, iv);
    expect(ok.violation, ok.violation?.message).toBeNull();
    expect(ok.stats.verifiedCopies).toBe(2);
    expect(ok.exercised.get('NDMA-DP-20')).toBe(1);
    const bad = run(faulty('dp-flagless-gets-defaults'), input, iv);
    expect(bad.violation?.ruleId).toBe('NDMA-DP-20');
    expect(bad.violation?.message).toMatch(/submitted with ControlFlags 0 .* processed it as a copy with ControlFlags 0x9, writing a completion status, requesting an interrupt/);
  });

  it.each(MODES)('NDMA-DP-16: copies of exactly MaximumTransferSize and just below it are submitted and verified; a provider that refuses the maximum fails (%s)', (_mode, iv) => {
    const input = { workload: 'copies', engineDca: false, xfercapLog2: 12, commands: [{ kind: 'Allocate' }, { kind: 'Copy', channel: 0, copies: [copy({ belowMax: 0 }), copy({ belowMax: 3, status: true })] }, { kind: 'Check' }] } as const;
    const ok = run(reference, input, iv);
    expect(ok.violation, ok.violation?.message).toBeNull();
    const texts = ok.trace.map((e) => e.text);
    expect(texts.some((t) => /copy 4096 B/.test(t))).toBe(true);
    expect(texts.some((t) => /copy 4093 B/.test(t))).toBe(true);
    expect(ok.stats.verifiedCopies).toBe(2);
    expect(ok.exercised.get('NDMA-DP-16') ?? 0).toBeGreaterThanOrEqual(3); // the accepted Start, the two verified copies
    const bad = run(faulty('dp-max-transfer-exclusive'), input, iv);
    expect(bad.violation?.ruleId).toBe('NDMA-DP-16');
    expect(bad.violation?.message).toMatch(/ProviderStartDma on channel#1 failed \(0xc0000001\) for a chain holding descriptor 0x[0-9a-f]+ of 4096 byte\(s\), within the MaximumTransferSize 4096/);
  });

  it('NDMA-DP-16: a copy sized from a MaximumTransferSize the client\'s buffers cannot hold keeps its drawn length', () => {
    const input = { workload: 'copies', engineDca: false, commands: [{ kind: 'Allocate' }, { kind: 'Copy', channel: 0, copies: [copy({ belowMax: 0 })] }, { kind: 'Check' }] } as const;
    const r = run(reference, input); // the default engine: 1 MiB per descriptor
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.trace.some((e) => /copy 256 B/.test(e.text))).toBe(true);
    expect(r.stats.verifiedCopies).toBe(1);
    expect(r.exercised.get('NDMA-DP-16') ?? 0).toBe(0);
  });

  it.each(['1.0', '1.1', '2.0'] as const)('NDMA-INT-07: interrupts stay on until NetDmaProviderStop returns; a provider that masks them first fails (NetDMA %s)', (iv) => {
    const input = { workload: 'pnp', engineDca: false, commands: [{ kind: 'Allocate' }, { kind: 'Copy', channel: 0, copies: [copy({ status: true, interrupt: true })] }, { kind: 'Pnp', event: 'rebalance' }] } as const;
    const ok = run(reference, input, iv);
    expect(ok.violation, ok.violation?.message).toBeNull();
    expect(ok.exercised.get('NDMA-INT-07') ?? 0).toBeGreaterThan(0);
    const bad = run(faulty('stop-masks-interrupts-first'), input, iv);
    expect(bad.violation?.ruleId).toBe('NDMA-INT-07');
    expect(bad.violation?.message).toMatch(/while NetDmaProviderStop waited for outstanding DMA.*masked \(INTRCTRL.MASTER_INT_EN clear\) before NetDmaProviderStop returned/);
  });

  it.each(MODES)('NDMA-INT-06: the ISR does not reset a channel halted on an error; that is ProviderResetChannel\'s (%s)', (_mode, iv) => {
    const input = { workload: 'copies', engineDca: false, commands: [{ kind: 'Allocate' }, { kind: 'Fault', channel: 0, fault: 'read-data' }, { kind: 'Copy', channel: 0, copies: [copy({ status: true, interrupt: true })] }, { kind: 'Check' }] } as const;
    const ok = run(reference, input, iv);
    expect(ok.violation, ok.violation?.message).toBeNull();
    expect(ok.exercised.get('NDMA-INT-06') ?? 0).toBeGreaterThan(0);
    const bad = run(faulty('dp-isr-resets-channel'), input, iv);
    expect(bad.violation?.ruleId).toBe('NDMA-INT-06');
    expect(bad.violation?.message).toMatch(/^ISR\(PDO#1, message \d+\) wrote CHANCMD of PDO#1 engine channel \d+/);
  });
});

describe('the model sees NetDMA\'s operations when the engine does, not when the handler is called', () => {
  const copy = (status: boolean) => ({ kind: 'copy', length: 2, srcSkew: 0, dstSkew: 0, status, interrupt: false, serialize: false, dca: false, pageBreak: 'none' }) as const;
  // A provider whose ProviderAppendDma reads DMACOUNT before writing DMACOUNT + n: the read is a
  // preemption point, the engine completes the last descriptor it has and rightly writes Idle (1).
  // The model used to get "DMACOUNT += n" when Append was called and predicted Active (0): NDMA-DP-04.
  it.each([
    ['no DCA: Start [2B S], Append [2B]', false, [{ kind: 'Copy', channel: 0, copies: [copy(true)] }, { kind: 'Copy', channel: 0, copies: [copy(false)] }], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 2],
    ['DCA: the context-change Start, Append [2B S]', true, [{ kind: 'Copy', channel: 0, copies: [copy(true)] }], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 1],
  ] as const)('accepts Idle for the last descriptor the engine had while Append read DMACOUNT (%s)', (_label, engineDca, commands, choices, copies) => {
    const input: DatapathInput = { workload: 'copies', engineDca, commands: [...commands, { kind: 'Check' }], choices: [...choices] };
    const r = runDatapathWorkload(readBeforeDmaCount, input, { interfaceVersion: '2.0' });
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.harnessError).toBeNull();
    const texts = r.trace.map((e) => e.text);
    const at = texts.findIndex((t) => t.startsWith('ProviderAppendDma('));
    // The window really happened: read, the engine's Idle completion word, then the write.
    expect(texts.slice(at, at + 6).join('\n')).toMatch(/READ_REGISTER\(PDO#1\+0x\w+6, 16\) = 0x1\n(?:.*\n)?.*CHANCMP@0x[0-9a-f]+ <- 0x[0-9a-f]*1 \(NetDmaTransferStatusIdle\).*\nWRITE_REGISTER\(PDO#1\+0x\w+6, 16, 0x2\)/);
    expect(r.stats.verifiedCopies).toBe(copies);
    expect(r.exercised.get('NDMA-DP-04') ?? 0).toBeGreaterThan(0);
  });
  it('accepts that provider on 300 generated copy workloads (NetDMA 2.0)', () => {
    const r = checkDatapath(readBeforeDmaCount, { interfaceVersion: '2.0', seed: SEED, numRuns: 300 }, 'copies');
    if (r.failure) expect.fail(formatFailure(r.failure, 'test/fixtures/providers/read-before-dmacount.ts'));
  });
});

describe('DCA is an engine capability: NDMA-DCA-02 on engines without it', () => {
  const features = (e: IoatEngine): number | undefined => {
    const cs = e.configSpace;
    for (let at = cs[ENGINE_CAPABILITY.CAPABILITIES_POINTER]!, n = 0; at !== 0 && n < 48; at = cs[at + ENGINE_CAPABILITY.NEXT_OFFSET]!, n++) {
      if (cs[at] === ENGINE_CAPABILITY.ID) return cs[at + ENGINE_CAPABILITY.FEATURES_OFFSET];
    }
    return undefined;
  };
  it.each([true, false])('an engine with dca=%s says so in its PCI capability; without DCA, DCACTRL reads 0 and ignores writes', (dca) => {
    const e = new IoatEngine({ memory: new PhysicalMemory(), channelCount: 2, xfercapLog2: 20, raiseInterrupt: () => {}, dca });
    expect(features(e)).toBe(dca ? ENGINE_FEATURE_DCA : 0);
    const reg = REGISTER_BLOCK_SIZE + CHANNEL_REGISTERS.DCACTRL.offset;
    e.mmioWrite(reg, 4, BigInt(DCACTRL.CMPL_WRITE_ENABLE | 2));
    expect(e.mmioRead(reg, 4)).toBe(dca ? BigInt(DCACTRL.CMPL_WRITE_ENABLE | 2) : 0n);
    expect(e.channelSnapshot(0).dcaCtrl).toBe(dca ? DCACTRL.CMPL_WRITE_ENABLE | 2 : 0);
  });
  it('the reference declares DCA only when its engine has it; on one without, it gets no context change and copies DESTINATION_DCA_ENABLE descriptors normally (2.0)', () => {
    const dcaCopy = (length: number) => ({ kind: 'copy', length, srcSkew: 1, dstSkew: 2, status: true, interrupt: true, serialize: false, dca: true, pageBreak: 'none' }) as const;
    const input: DatapathInput = {
      workload: 'copies',
      engineDca: false,
      commands: [{ kind: 'Allocate' }, { kind: 'Copy', channel: 0, copies: [dcaCopy(200), dcaCopy(64)] }, { kind: 'Check' }, { kind: 'Reset', channel: 0 }, { kind: 'Copy', channel: 0, copies: [dcaCopy(300)] }, { kind: 'Check' }],
      choices: [0, 1, 0, 2, 1, 3],
    };
    const r = runDatapathWorkload(reference, input, { interfaceVersion: '2.0' });
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.harnessError).toBeNull();
    const texts = r.trace.map((e) => e.text);
    expect(texts.some((t) => /context change/.test(t))).toBe(false);
    expect(texts.some((t) => /copy 200 B .* DCA->none/.test(t))).toBe(true);
    expect(r.exercised.get('NDMA-DCA-02') ?? 0).toBe(3);
    for (const id of ['NDMA-DCA-01', 'NDMA-DCA-03', 'NDMA-DCA-04'] as const) expect(r.exercised.get(id) ?? 0, id).toBe(0);
  });
});

describe('faulty data-path providers are rejected with their rule id, a shrunk sequence and a replay token', () => {
  const cases = FAULTY_DATAPATH.flatMap((e) => (e.versions ?? ['1.1', '2.0']).map((iv) => [e.name, iv, e] as const));
  it.each(cases)('%s on NetDMA %s', (name, iv, entry) => {
    const loader = faulty(entry.name);
    const r = checkDatapath(loader, { interfaceVersion: iv, seed: SEED, numRuns: 300, failFast: true });
    if (!r.failure) expect.fail(`faulty provider '${name}' survived ${r.numRuns} runs on NetDMA ${iv}: ${entry.bug}`);
    const f = r.failure;
    expect(f.harnessError).toBeNull();
    expect(entry.expects, formatFailure(f)).toContain(f.violation?.ruleId);
    const text = formatFailure(f, `candidates/faulty/${name}.ts`);
    expect(text).toContain('--replay ndc1.');
    const token = decodeReplayToken(f.replay);
    expect(token.property).toBe('datapath');
    const again = checkDatapath(loader, { interfaceVersion: token.interfaceVersion, msix: token.msix, seed: token.seed, path: token.path, numRuns: 1 });
    expect(again.failure?.violation?.ruleId).toBe(f.violation!.ruleId);
    expect(again.failure?.steps).toEqual(f.steps);
  });
  it('has at least one faulty provider per implemented data-path rule family', () => {
    const families = new Set(FAULTY_DATAPATH.flatMap((e) => e.expects.map((id) => RULES.find((r) => r.id === id)!.family)));
    expect([...families].sort()).toEqual(expect.arrayContaining(['data-path', 'interrupt']));
  });
});
