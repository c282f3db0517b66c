/**
 * The simulated engine alone (no driver) against the independent data-path model.
 *
 * Random descriptor chains (0..16 KiB, random offsets, NULL, zero-length, context change,
 * page breaks, serialize / status / interrupt / DCA flags, occasional invalid descriptors)
 * and random driver moves (start, append after a tail patch, suspend-edit-resume, abort and
 * reset with restarts, re-arm, raw commands, interleaved random numbers of steps) in both
 * chain modes must give exactly the model's memory, registers, events and completion words.
 *
 * Seeded by `properties/seed.ts` (NETDMA_SEED or the fixed default); a failure prints the seed
 * and fast-check's `path`. Replay one counterexample with NETDMA_SEED=<seed> NETDMA_PATH=<path>;
 * NETDMA_END_ON_FAILURE=1 skips shrinking.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IoatEngine, NET_DMA_SOURCE_PAGE_BREAK } from '../src/hardware/index';
import { checkCopy, runDatapath, modelMemoryOf } from '../src/model/datapath/index';
import { compareEngineWithModel, makeMemory, runEngine } from './engine-harness';
import { SEED } from './seed';
import { BUFFER_SIZE, descSpecArb, encodeSpec, scenarioArb, scenarioOps } from './engine-scenarios';
import type { Scenario } from './engine-scenarios';


function params<T>(numRuns: number): fc.Parameters<T> {
  const path = process.env.NETDMA_PATH;
  return { seed: SEED, numRuns, endOnFailure: process.env.NETDMA_END_ON_FAILURE === '1', ...(path ? { path } : {}) };
}

function check(s: Scenario): readonly { t: string }[] {
  return compareEngineWithModel(s.memorySeed, (layout) => scenarioOps(s, layout)).events;
}

describe('engine matches the data-path model', () => {
  it('linked chains (NetDMA 1.x): start, append, suspend-edit-resume, abort, reset', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(scenarioArb('linked'), (s) => {
        for (const e of check(s)) seen.set(e.t, (seen.get(e.t) ?? 0) + 1);
      }),
      params(500),
    );
    // The generators must actually reach every kind of event.
    for (const t of ['descriptor', 'error', 'idle', 'completion', 'interrupt', 'suspended', 'illegal-command']) {
      expect(seen.get(t) ?? 0, `event kind ${t}`).toBeGreaterThan(0);
    }
  });

  it('counted chains (NetDMA 2.0): DMACOUNT, ring reuse, suspend-edit-resume, abort, reset', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(scenarioArb('counted'), (s) => {
        for (const e of check(s)) seen.set(e.t, (seen.get(e.t) ?? 0) + 1);
      }),
      params(500),
    );
    for (const t of ['descriptor', 'error', 'completion', 'interrupt', 'suspended']) {
      expect(seen.get(t) ?? 0, `event kind ${t}`).toBeGreaterThan(0);
    }
  });
});

describe("the engine's plain-copy path and its general path agree", () => {
  it('the general path alone (fastPath: false) matches the model on linked and counted chains', () => {
    for (const mode of ['linked', 'counted'] as const) {
      fc.assert(
        fc.property(scenarioArb(mode), (s) => {
          compareEngineWithModel(s.memorySeed, (layout) => scenarioOps(s, layout), false);
        }),
        params(150),
      );
    }
  });

  it('both paths give the same steps (texts included), events, memory, registers and DMA writes', () => {
    let copies = 0;
    for (const mode of ['linked', 'counted'] as const) {
      fc.assert(
        fc.property(scenarioArb(mode), (s) => {
          const run = (fastPath: boolean) => {
            const { memory, layout } = makeMemory(s.memorySeed);
            const { config, ops } = scenarioOps(s, layout);
            return runEngine(memory, config, ops, fastPath);
          };
          const fast = run(true);
          const general = run(false);
          expect(fast.stepTexts).toEqual(general.stepTexts);
          expect(fast.events).toEqual(general.events);
          expect(fast.registersAfterOp).toEqual(general.registersAfterOp);
          expect(fast.dmaWrites).toEqual(general.dmaWrites);
          expect(fast.raised).toBe(general.raised);
          expect(fast.memoryAfterOp.length).toBe(general.memoryAfterOp.length);
          fast.memoryAfterOp.forEach((m, i) => {
            for (const [pa, bytes] of m) expect(Buffer.compare(bytes, general.memoryAfterOp[i]!.get(pa)!), `op ${i} @0x${pa.toString(16)}`).toBe(0);
          });
          copies += fast.stepTexts.filter((t) => / copy [1-9]\d* B /.test(t)).length;
        }),
        params(150),
      );
    }
    // Plain copies (the fast path's case) must actually occur.
    expect(copies).toBeGreaterThan(100);
  });
});

describe('byte oracle on single copies', () => {
  it('every valid copy passes the dmatest checks, and the model agrees', () => {
    fc.assert(
      fc.property(descSpecArb, fc.nat(), (raw, seed) => {
        const spec = { ...raw, status: false, kind: 'copy' as const, srcBreak: false, dstBreak: false, srcBuf: 0 as const, dstBuf: 1 as const };
        const { memory, layout } = makeMemory(seed);
        const descriptor = encodeSpec(spec, layout, 0n);
        memory.write(layout.pool, descriptor);
        const view = new DataView(descriptor.buffer);
        const size = view.getUint32(0, true);
        const so = Number(view.getBigUint64(8, true) - layout.buffers[0]);
        const dof = Number(view.getBigUint64(16, true) - layout.buffers[1]);
        const srcBefore = memory.read(layout.buffers[0], BUFFER_SIZE);
        const dstBefore = memory.read(layout.buffers[1], BUFFER_SIZE);
        const initial = modelMemoryOf(memory.allocations().map((a) => [a.pa, memory.read(a.pa, a.length)] as const));
        const engine = new IoatEngine({ memory, channelCount: 1, xfercapLog2: 20, raiseInterrupt: () => {} });
        engine.mmioWrite(0x80 + 0x10, 8, layout.pool);
        engine.mmioWrite(0x80 + 0x04, 1, 1n);
        const ev = engine.step(0);
        expect(ev?.kind).toBe('copied');
        const verdict = checkCopy({
          sourceBefore: srcBefore,
          sourceAfter: memory.read(layout.buffers[0], BUFFER_SIZE),
          destinationBefore: dstBefore,
          destinationAfter: memory.read(layout.buffers[1], BUFFER_SIZE),
          sourceOffset: so,
          destinationOffset: dof,
          length: size,
        });
        expect(verdict.findings).toEqual([]);
        const model = runDatapath({ xfercapLog2: 20, chanctrl: 0, masterIntEn: false, completionAddress: layout.completion }, initial, [
          { op: 'start', head: layout.pool },
          { op: 'step', count: 1 },
        ]);
        expect(Buffer.compare(model.memory.get(layout.buffers[1])!, memory.view(layout.buffers[1], BUFFER_SIZE))).toBe(0);
      }),
      params(200),
    );
  });

  it('page-break copies gather and scatter exactly', () => {
    fc.assert(
      fc.property(descSpecArb, fc.nat(), (raw, seed) => {
        const spec = { ...raw, status: false, kind: 'copy' as const, srcBreak: true, dstBreak: true, size: Math.max(raw.size, 1) };
        const { memory, layout } = makeMemory(seed);
        const d = encodeSpec(spec, layout, 0n);
        expect(new DataView(d.buffer).getUint32(4, true) & NET_DMA_SOURCE_PAGE_BREAK).toBe(NET_DMA_SOURCE_PAGE_BREAK);
        memory.write(layout.pool, d);
        const initial = modelMemoryOf(memory.allocations().map((a) => [a.pa, memory.read(a.pa, a.length)] as const));
        const engine = new IoatEngine({ memory, channelCount: 1, xfercapLog2: 0, raiseInterrupt: () => {} });
        engine.mmioWrite(0x80 + 0x10, 8, layout.pool);
        engine.mmioWrite(0x80 + 0x04, 1, 1n);
        const ev = engine.step(0);
        const model = runDatapath({ xfercapLog2: 0, chanctrl: 0, masterIntEn: false, completionAddress: layout.completion }, initial, [
          { op: 'start', head: layout.pool },
          { op: 'step', count: 1 },
        ]);
        expect(ev?.kind).toBe('copied');
        for (const [pa, bytes] of model.memory) expect(Buffer.compare(bytes, memory.view(pa, bytes.length))).toBe(0);
      }),
      params(200),
    );
  });
});
