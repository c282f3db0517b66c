/**
 * Property tests of the backing store of PhysicalMemory (allocations carved from shared
 * chunks), its recent-allocation lookup and the compact write log, against a plain model: one
 * separate Uint8Array per allocation and an array of write records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../../src/hardware/index';
import type { MemoryWriteRecord } from '../../src/hardware/index';
import { SEED } from '../../properties/seed';

type Op =
  | { readonly op: 'alloc'; readonly size: number }
  | { readonly op: 'write'; readonly which: number; readonly at: number; readonly bytes: Uint8Array; readonly dma: boolean }
  | { readonly op: 'fill'; readonly which: number; readonly at: number; readonly length: number; readonly value: number }
  | { readonly op: 'copy'; readonly from: number; readonly to: number; readonly at: number; readonly length: number }
  | { readonly op: 'free'; readonly which: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('alloc' as const), size: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 30_000, max: 200_000 })) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('write' as const), which: fc.nat(), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }), dma: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('fill' as const), which: fc.nat(), at: fc.nat(), length: fc.integer({ min: 1, max: 5000 }), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), at: fc.nat(), length: fc.integer({ min: 1, max: 5000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('free' as const), which: fc.nat() }) },
);

describe('PhysicalMemory backing chunks', () => {
  it('allocations carved from shared chunks behave as separate zeroed buffers; the write log keeps every write in order', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const m = new PhysicalMemory();
        const live: Array<{ pa: bigint; model: Uint8Array }> = [];
        const log: MemoryWriteRecord[] = [];
        for (const o of ops) {
          if (o.op === 'alloc') {
            const pa = m.allocateContiguous(o.size);
            // A new allocation reads as zero, whatever was written beside it in the same chunk.
            expect(m.view(pa, o.size).every((b) => b === 0)).toBe(true);
            live.push({ pa, model: new Uint8Array(o.size) });
            continue;
          }
          if (live.length === 0) continue;
          if (o.op === 'free') {
            const [gone] = live.splice(o.which % live.length, 1);
            m.free(gone!.pa);
            expect(m.isAllocated(gone!.pa, 1)).toBe(false);
            expect(m.numericBlock(Number(gone!.pa), 1)).toBeUndefined();
            continue;
          }
          if (o.op === 'write') {
            const a = live[o.which % live.length]!;
            const at = o.at % a.model.length;
            const bytes = o.bytes.subarray(0, a.model.length - at);
            m.write(a.pa + BigInt(at), bytes, o.dma ? 'dma' : 'cpu');
            a.model.set(bytes, at);
            log.push({ pa: a.pa + BigInt(at), length: bytes.length, by: o.dma ? 'dma' : 'cpu' });
          } else if (o.op === 'fill') {
            const a = live[o.which % live.length]!;
            const at = o.at % a.model.length;
            const length = Math.min(o.length, a.model.length - at);
            m.fill(a.pa + BigInt(at), length, o.value);
            a.model.fill(o.value, at, at + length);
            log.push({ pa: a.pa + BigInt(at), length, by: 'cpu' });
          } else {
            // What the engine's plain-copy path does: copyWithin inside one chunk, else set.
            const s = live[o.from % live.length]!;
            const d = live[o.to % live.length]!;
            const length = Math.min(o.length, s.model.length, d.model.length);
            const so = o.at % (s.model.length - length + 1);
            const doff = (o.at >> 3) % (d.model.length - length + 1);
            const sb = m.numericBlock(Number(s.pa) + so, length)!;
            const db = m.numericBlock(Number(d.pa) + doff, length)!;
            expect(sb.paNum).toBe(Number(s.pa));
            expect(db.paNum).toBe(Number(d.pa));
            if (sb.chunk === db.chunk) db.chunk.copyWithin(db.base + doff, sb.base + so, sb.base + so + length);
            else db.bytes.set(sb.bytes.subarray(so, so + length), doff);
            m.writeLog.recordNumeric(Number(d.pa) + doff, length, 1);
            d.model.set(s.model.slice(so, so + length), doff);
            log.push({ pa: d.pa + BigInt(doff), length, by: 'dma' });
          }
        }
        for (const a of live) expect(Buffer.compare(m.view(a.pa, a.model.length), a.model), `allocation 0x${a.pa.toString(16)}`).toBe(0);
        expect(m.writeLog.ranges()).toEqual(log);
        expect(m.writeLog.length).toBe(log.length);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('numericBlock finds exactly the allocation holding a range, and nothing for gaps or straddles', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 12 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: -100, max: 10_000 }), fc.integer({ min: 1, max: 200 })), { maxLength: 40 }), (sizes, probes) => {
        const m = new PhysicalMemory();
        const allocs = sizes.map((size) => ({ pa: m.allocateContiguous(size), size }));
        for (const [i, delta, length] of probes) {
          const a = allocs[i % allocs.length]!;
          const p = Number(a.pa) + delta;
          const inside = delta >= 0 && delta + length <= a.size;
          const block = m.numericBlock(p, length);
          expect(block !== undefined, `probe ${delta}+${length} of a ${a.size}-byte allocation`).toBe(m.isAllocated(BigInt(p), length));
          if (inside) expect(block?.paNum).toBe(Number(a.pa));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('numericBlock declines once an allocation ends above 2^53 - 1; the log keeps such addresses exactly', () => {
    const m = new PhysicalMemory();
    const low = m.allocateContiguous(64);
    expect(m.numericBlock(Number(low), 8)).toBeDefined();
    const high = m.allocateAt(0x0030_0000_0000_0000n, 64);
    expect(m.numeric).toBe(false);
    expect(m.numericBlock(Number(low), 8)).toBeUndefined();
    m.writeU64(high + 8n, 7n, 'dma');
    m.writeU32(low, 1);
    for (let i = 0; i < 600; i++) m.writeU32(low + 4n, i); // grows the log past its first buffer
    expect(m.writeLog.ranges()[0]).toEqual({ pa: high + 8n, length: 8, by: 'dma' });
    expect(m.writeLog.ranges()[1]).toEqual({ pa: low, length: 4, by: 'cpu' });
    expect(m.writeLog.length).toBe(602);
    expect(m.readU64(high + 8n)).toBe(7n);
  });
});
