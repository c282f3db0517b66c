import { describe, expect, it } from 'vitest';
import { PhysicalMemory, PhysicalMemoryError } from '../../src/hardware/index';

describe('PhysicalMemory', () => {
  it('allocates aligned, zeroed, non-adjacent ranges from the base', () => {
    const m = new PhysicalMemory();
    const a = m.allocateContiguous(100);
    const b = m.allocateContiguous(64, 64);
    const c = m.allocateContiguous(8192, 8192);
    expect(a).toBe(0x1000_0000n);
    expect(b % 64n).toBe(0n);
    expect(c % 8192n).toBe(0n);
    expect(b).toBeGreaterThan(a + 100n);
    expect(m.isAllocated(a + 100n, 1)).toBe(false); // guard gap
    expect(m.read(c, 8192).every((x) => x === 0)).toBe(true);
    expect(m.allocations()).toEqual([
      { pa: a, length: 100 },
      { pa: b, length: 64 },
      { pa: c, length: 8192 },
    ]);
  });

  it('honours base and pageSize options and rejects bad sizes and alignments', () => {
    const m = new PhysicalMemory({ base: 0x2_0000_0000n, pageSize: 8192 });
    expect(m.allocateContiguous(1, 8192)).toBe(0x2_0000_0000n);
    expect(() => m.allocateContiguous(0)).toThrow(PhysicalMemoryError);
    expect(() => m.allocateContiguous(16, 3)).toThrow(PhysicalMemoryError);
    expect(() => new PhysicalMemory({ pageSize: 1000 })).toThrow(PhysicalMemoryError);
  });

  it('isAllocated requires the whole range inside one allocation', () => {
    const m = new PhysicalMemory();
    const a = m.allocateContiguous(4096);
    expect(m.isAllocated(a, 4096)).toBe(true);
    expect(m.isAllocated(a + 1n, 4096)).toBe(false);
    expect(m.isAllocated(a - 1n, 2)).toBe(false);
    expect(m.isAllocated(0n, 1)).toBe(false);
  });

  it('view is zero-copy, read is a copy, and both refuse ranges crossing allocations', () => {
    const m = new PhysicalMemory();
    const a = m.allocateAt(0x5000n, 4096);
    m.allocateAt(0x6000n, 4096); // adjacent on purpose
    const v = m.view(a, 16);
    v[0] = 42;
    expect(m.readU32(a)).toBe(42);
    const r = m.read(a, 16);
    r[0] = 1;
    expect(m.view(a, 1)[0]).toBe(42);
    expect(() => m.view(0x5ff8n, 16)).toThrow(PhysicalMemoryError);
    expect(() => m.read(0x100n, 1)).toThrow(PhysicalMemoryError);
    expect(() => m.allocateAt(0x5800n, 16)).toThrow(/overlaps/);
  });

  it('u32/u64 accessors are little-endian', () => {
    const m = new PhysicalMemory();
    const a = m.allocateContiguous(16);
    m.writeU64(a, 0x0102_0304_0506_0708n);
    expect([...m.read(a, 8)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(m.readU32(a + 4n)).toBe(0x0102_0304);
    expect(m.readU64(a)).toBe(0x0102_0304_0506_0708n);
  });

  it('free makes the range unaddressable; freed addresses are not reused; bad frees throw', () => {
    const m = new PhysicalMemory();
    const a = m.allocateContiguous(64);
    m.free(a);
    expect(m.isAllocated(a, 1)).toBe(false);
    expect(() => m.free(a)).toThrow(PhysicalMemoryError);
    expect(m.allocateContiguous(64)).not.toBe(a);
    const b = m.allocateContiguous(64);
    expect(() => m.free(b + 8n)).toThrow(PhysicalMemoryError);
  });

  it('logs every write with its writer and finds writes outside allowed ranges', () => {
    const m = new PhysicalMemory();
    const a = m.allocateContiguous(4096);
    m.write(a, new Uint8Array(10));
    m.writeU64(a + 64n, 1n, 'dma');
    m.writeU32(a + 128n, 1, 'cpu');
    m.fill(a + 256n, 32, 7, 'dma');
    expect(m.writeLog.ranges()).toEqual([
      { pa: a, length: 10, by: 'cpu' },
      { pa: a + 64n, length: 8, by: 'dma' },
      { pa: a + 128n, length: 4, by: 'cpu' },
      { pa: a + 256n, length: 32, by: 'dma' },
    ]);
    expect(m.writeLog.writesOutside([{ pa: a + 256n, length: 32 }], 'dma')).toEqual([{ pa: a + 64n, length: 8, by: 'dma' }]);
    m.writeLog.resetLog();
    expect(m.writeLog.length).toBe(0);
    m.writeLog.enabled = false;
    m.write(a, new Uint8Array(1));
    expect(m.writeLog.ranges()).toEqual([]);
  });
});
