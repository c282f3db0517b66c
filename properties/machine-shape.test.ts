import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machineWithClient } from '../src/client';
import { createKernelServices } from '../src/kernel';
import { PCI_CONFIG } from '../src/hardware';
import { GENERAL_REGISTERS } from '../src/hardware/registers';
import { createReferenceDriver } from '../src/reference/driver';
import type { DriverImageLoader } from '../src/candidate-api';
import { DEFAULT_REQUIRED_CONFIGURATIONS, machineCoverageOf, missingConfigurations, requiredConfigurationProblem } from '../src/report/machines';
import { runDatapathWorkload } from './datapath/run-datapath';
import type { DatapathInput } from './datapath/commands';
import { runLifecycle } from './lifecycle/run-lifecycle';
import { lifecycleInputArb } from './lifecycle/commands';
import { FOUR_GIB, configurationKeys, machineShapeArb, machineShapeWithXfercapArb, type MachineShape } from './machine-shape';
import { assertReplayableToken, decodeReplayToken, encodeReplayToken } from './replay-token';
import { checkDatapath } from './datapath/property';

const reference: DriverImageLoader = (k) => createReferenceDriver(k);

describe('the machine shape drawn per run', () => {
  it('covers its ranges, with the corners drawn often', () => {
    const shapes = fc.sample(machineShapeWithXfercapArb, { seed: 13, numRuns: 2000 });
    for (const s of shapes) {
      expect(s.channelCount).toBeGreaterThanOrEqual(1);
      expect(s.channelCount).toBeLessThanOrEqual(16);
      expect(s.cpus).toBeGreaterThanOrEqual(1);
      expect(s.cpus).toBeLessThanOrEqual(64);
      expect(['msix', 'msi', 'line']).toContain(s.interrupts);
      expect(Number.isSafeInteger(s.memoryBase)).toBe(true);
      expect(s.xfercapLog2).toBeGreaterThanOrEqual(12);
      expect(s.xfercapLog2).toBeLessThanOrEqual(20);
    }
    const share = (p: (s: MachineShape) => boolean) => shapes.filter(p).length / shapes.length;
    for (const n of [1, 2, 4, 5, 8, 16]) expect(share((s) => s.channelCount === n), `channels ${n}`).toBeGreaterThan(0.04);
    for (const n of [1, 2, 4, 33, 64]) expect(share((s) => s.cpus === n), `cpus ${n}`).toBeGreaterThan(0.04);
    expect(new Set(shapes.map((s) => s.channelCount)).size).toBe(16);
    for (const mode of ['msix', 'msi', 'line'] as const) expect(share((s) => s.interrupts === mode), mode).toBeGreaterThan(0.12);
    expect(share((s) => s.memoryBase >= FOUR_GIB)).toBeGreaterThan(0.25);
    expect(share((s) => s.memoryBase < FOUR_GIB)).toBeGreaterThan(0.25);
  });

  it('builds an engine whose CHANCNT, BAR0 and MSI-X table size follow the drawn count, and memory where it was drawn', () => {
    fc.assert(
      fc.property(machineShapeArb, (s) => {
        const m = machineWithClient({ interfaceVersion: '2.0', cpus: s.cpus, interrupts: s.interrupts, memoryBase: BigInt(s.memoryBase), engine: { channelCount: s.channelCount } });
        const dev = m.plugDevice();
        const e = m.engineOf(dev);
        expect(Number(e.mmioRead(GENERAL_REGISTERS.CHANCNT.offset, 1))).toBe(s.channelCount);
        expect(e.bar0Length).toBe(0x80 * (s.channelCount + 1));
        const cs = e.configSpace;
        expect(((cs[PCI_CONFIG.MSIX_CAPABILITY + 2]! | (cs[PCI_CONFIG.MSIX_CAPABILITY + 3]! << 8)) & 0x7ff) + 1).toBe(s.channelCount);
        const pa = m.memory.allocateContiguous(64, 64);
        expect(pa >= BigInt(s.memoryBase)).toBe(true);
        const req = m.pnp.baseRequirements(dev).List[0].Descriptors.filter((d) => d.Type === 2);
        expect(req.length).toBe(s.interrupts === 'msix' ? s.channelCount : 1);
      }),
      { seed: 13, numRuns: 60 },
    );
  });

  it('MmAllocateContiguousMemory honours HighestAcceptableAddress: below 4 GiB when asked, NULL when nothing fits', () => {
    const m = machineWithClient({ interfaceVersion: '2.0', memoryBase: 0x1_2345_0000n });
    const k = createKernelServices(m, { failPoolAttempts: new Set(), failNextCreateDevice: false });
    const toPa = (va: bigint | null) => (va === null ? null : m.hal.paForKernelVa(va));
    const high = toPa(k.MmAllocateContiguousMemory(8192, 0xffff_ffff_ffffn));
    expect(high !== null && high >= 0x1_2345_0000n).toBe(true);
    const low = toPa(k.MmAllocateContiguousMemory(8192, 0xffff_ffffn));
    expect(low !== null && low + 8192n - 1n <= 0xffff_ffffn).toBe(true);
    expect(k.MmAllocateContiguousMemory(8192, 0xfff_ffffn)).toBeNull();
  });
});

/** A copy-heavy workload on one channel after NetDMA allocated `channels` at START. */
function workload(shape: MachineShape, channels: number): DatapathInput {
  const copy = { kind: 'copy', length: 512, srcSkew: 0, dstSkew: 0, status: true, interrupt: true, serialize: false, dca: false, pageBreak: 'none' } as const;
  return {
    workload: 'copies',
    machine: shape,
    allocateAtStart: channels,
    commands: Array.from({ length: channels }, (_, i) => ({ kind: 'Copy' as const, channel: i, copies: [copy, copy] })).concat([{ kind: 'Copy', channel: 0, copies: [copy] }]),
    choices: [],
  };
}

describe('the reference on every machine', () => {
  for (const interrupts of ['msix', 'msi', 'line'] as const) {
    it(`copies on 8 channels, 33 processors, ${interrupts}, memory above 4 GiB: the high dword reaches CHANCMP, CHAINADDR and the ISR's reports`, () => {
      const shape: MachineShape = { channelCount: 8, cpus: 33, interrupts, memoryBase: 0x1_2345_0000 };
      const r = runDatapathWorkload(reference, workload(shape, 8), { interfaceVersion: '2.0' });
      expect(r.harnessError).toBeNull();
      expect(r.violation).toBeNull();
      expect(r.machine).toEqual({ channelCount: 8, cpus: 33, interrupts, highMemory: true, xfercapLog2: 20 });
      expect(r.stats.verifiedCopies).toBeGreaterThan(8);
      expect(r.stats.isrs).toBeGreaterThan(0);
      const texts = r.trace.map((e) => e.text);
      // 64-bit writes of addresses above 4 GiB: CHANCMP at allocation, CHAINADDR at ProviderStartDma.
      expect(texts.some((t) => /WRITE_REGISTER\(PDO#1\+0x[0-9a-f]*98, 64, 0x1[0-9a-f]{8}\)/.test(t))).toBe(true);
      expect(texts.some((t) => /WRITE_REGISTER\(PDO#1\+0x[0-9a-f]*90, 64, 0x1[0-9a-f]{8}\)/.test(t))).toBe(true);
      expect(texts.some((t) => /NetDmaIsr\(0x1[0-9a-f]{8}\)/.test(t))).toBe(true);
      // Engine channels past the first four carried interrupts.
      expect(texts.some((t) => /CH[4-7]|\+0x(2[89a-f]|3[0-9a-f]|4[0-7])[0-9a-f]/.test(t))).toBe(true);
    });
  }

  it('runs lifecycles on drawn machines without a violation', () => {
    fc.assert(
      fc.property(lifecycleInputArb, (input) => {
        const r = runLifecycle(reference, input, { interfaceVersion: '2.0', recordTrace: false });
        expect(r.harnessError).toBeNull();
        expect(r.violation).toBeNull();
        expect(configurationKeys(r.machine)).toHaveLength(5);
      }),
      { seed: 13, numRuns: 80 },
    );
  });
});

describe('machine configurations in reports and replay tokens', () => {
  it('counts the configurations a check used, and --require-config finds the missing ones', () => {
    const r = checkDatapath(reference, { interfaceVersion: '2.0', seed: 13, numRuns: 60 }, 'copies');
    const list = machineCoverageOf(r.configurations ?? new Map());
    expect(list.filter((m) => m.dimension === 'interrupts').map((m) => m.value).sort()).toEqual(['line', 'msi', 'msix']);
    expect(list.reduce((n, m) => (m.dimension === 'memory' ? n + m.runs : n), 0)).toBe(r.numRuns);
    const missing = missingConfigurations(list, [...DEFAULT_REQUIRED_CONFIGURATIONS, { dimension: 'xfercap', value: '7' }]);
    expect(missing).toContainEqual({ dimension: 'xfercap', value: '7' });
    expect(missingConfigurations([], [{ dimension: 'cpus', value: '64' }])).toEqual([{ dimension: 'cpus', value: '64' }]);
    expect(requiredConfigurationProblem('cpus=65')).toMatch(/1\.\.64/);
    expect(requiredConfigurationProblem('colour=red')).toMatch(/dimension=value/);
    expect(requiredConfigurationProblem('interrupts=msi')).toBeNull();
  });

  it('refuses a token made before machines were drawn, with a message saying so', () => {
    const old = encodeReplayToken({ v: 1, property: 'lifecycle', interfaceVersion: '2.0', msix: true, seed: 1, path: '0' });
    expect(() => assertReplayableToken(decodeReplayToken(old))).toThrow(/rerun check for a new token/);
    const now = encodeReplayToken({ v: 1, property: 'lifecycle', interfaceVersion: '2.0', msix: true, seed: 1, path: '0', machine: 1 });
    expect(() => assertReplayableToken(decodeReplayToken(now))).not.toThrow();
  });

  it('replays a data-path run on the machine it drew', () => {
    const input = workload({ channelCount: 16, cpus: 64, interrupts: 'line', memoryBase: 0x1_4000_0000 }, 16);
    const a = runDatapathWorkload(reference, { ...input, choices: listChoices() }, { interfaceVersion: '1.1' });
    const b = runDatapathWorkload(reference, { ...input, choices: listChoices() }, { interfaceVersion: '1.1' });
    expect(a.violation).toBeNull();
    expect(a.steps).toEqual(b.steps);
    expect(a.steps[0]).toMatch(/16 channel\(s\), 64 processor\(s\), line-based interrupt, memory above 4 GiB/);
  });
});

function listChoices(): number[] {
  return Array.from({ length: 64 }, (_, i) => (i * 7) % 16);
}



