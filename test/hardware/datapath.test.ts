import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHANERR,
  completionWord,
  IoatEngine,
  NET_DMA_DESTINATION_DCA_ENABLE,
  NET_DMA_DESTINATION_PAGE_BREAK,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_OP_TYPE_CONTEXT_CHANGE,
  NET_DMA_SERIALIZE_TRANSFER,
  NET_DMA_SOURCE_PAGE_BREAK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  NetDmaTransferStatusActive,
  NetDmaTransferStatusIdle,
  PhysicalMemory,
} from '../../src/hardware/index';
import type { NetDmaDescriptor } from '../../src/hardware/index';
import { fillPattern, makeRig } from './helpers';
import type { Rig, RigOptions } from './helpers';

const STATUS = NET_DMA_STATUS_UPDATE_ON_COMPLETION;

function runSingle(d: Partial<NetDmaDescriptor>, options: RigOptions = {}) {
  const rig = makeRig(options);
  fillPattern(rig.memory, rig.src, 0x10000);
  const pa = rig.writeDescriptor(0, d);
  rig.setReg(0, 'CHAINADDR', pa);
  rig.cmd(0, 'START');
  rig.memory.writeLog.resetLog();
  return { rig, pa, events: rig.run() };
}

describe('copy descriptors', () => {
  it('copies exactly the window and nothing else', () => {
    const { rig, events } = runSingle({ TransferSize: 1000, ControlFlags: STATUS, SourceAddress: rig0().src + 3n, DestinationAddress: rig0().dst + 77n });
    expect(events[0]).toMatchObject({ kind: 'copied', bytes: 1000, status: NetDmaTransferStatusIdle, state: 'idle' });
    expect(rig.memory.read(rig.dst + 77n, 1000)).toEqual(rig.memory.read(rig.src + 3n, 1000));
    expect(rig.memory.read(rig.dst, 77).every((b) => b === 0)).toBe(true);
    expect(rig.memory.read(rig.dst + 1077n, 100).every((b) => b === 0)).toBe(true);
    expect(rig.memory.writeLog.ranges()).toEqual([
      { pa: rig.dst + 77n, length: 1000, by: 'dma' },
      { pa: rig.completion, length: 8, by: 'dma' },
    ]);
  });

  it('a zero-length transfer completes without moving data or checking addresses', () => {
    const { rig, events } = runSingle({ TransferSize: 0, ControlFlags: STATUS | NET_DMA_INTERRUPT_ON_COMPLETION, SourceAddress: 0x8n, DestinationAddress: 0x9n });
    expect(events[0]).toMatchObject({ kind: 'copied', bytes: 0, interrupt: 'raised' });
    expect(rig.memory.writeLog.ranges()).toEqual([{ pa: rig.completion, length: 8, by: 'dma' }]);
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
  });

  it('a NULL transfer ignores size and addresses but completes with status and interrupt', () => {
    const { rig, pa, events } = runSingle({ TransferSize: 0xffff_ffff, ControlFlags: NET_DMA_NULL_TRANSFER | STATUS | NET_DMA_INTERRUPT_ON_COMPLETION, SourceAddress: 0x1n, DestinationAddress: 0x2n });
    expect(events[0]).toMatchObject({ kind: 'null', interrupt: 'raised', status: NetDmaTransferStatusIdle });
    expect(rig.completionWord()).toBe(completionWord(pa, NetDmaTransferStatusIdle));
    expect(rig.interrupts).toEqual([0]);
  });

  it('XFERCAP: 2^cap bytes are fine, one more is a length error, cap 0 means no limit', () => {
    const ok = runSingle({ TransferSize: 4096, SourceAddress: rig0().src, DestinationAddress: rig0().dst }, { xfercapLog2: 12 });
    expect(ok.events[0]).toMatchObject({ kind: 'copied', bytes: 4096 });
    const bad = runSingle({ TransferSize: 4097, SourceAddress: rig0().src, DestinationAddress: rig0().dst }, { xfercapLog2: 12 });
    expect(bad.events[0]).toMatchObject({ kind: 'error', chanerr: CHANERR.LENGTH });
    const unlimited = runSingle({ TransferSize: 0x10000, SourceAddress: rig0().src, DestinationAddress: rig0().dst }, { xfercapLog2: 0 });
    expect(unlimited.events[0]).toMatchObject({ kind: 'copied', bytes: 0x10000 });
  });

  it('SERIALIZE_TRANSFER is recorded on the event', () => {
    const { events } = runSingle({ TransferSize: 8, ControlFlags: NET_DMA_SERIALIZE_TRANSFER, SourceAddress: rig0().src, DestinationAddress: rig0().dst });
    expect(events[0]).toMatchObject({ kind: 'copied', serialize: true });
  });

  it('overlapping source and destination behave like memmove (source read first)', () => {
    const r = rig0();
    const reference = new PhysicalMemory();
    const a = reference.allocateContiguous(0x10000);
    fillPattern(reference, a, 0x10000);
    const { rig } = runSingle({ TransferSize: 256, SourceAddress: r.src, DestinationAddress: r.src + 16n });
    expect(rig.memory.read(rig.src + 16n, 256)).toEqual(reference.read(a, 256));
  });
});

describe('page break (NetDMA 2.0)', () => {
  it('source page break: the rest of the page, then NextSourceAddress', () => {
    const r = rig0();
    const { rig, events } = runSingle({
      TransferSize: 300,
      ControlFlags: NET_DMA_SOURCE_PAGE_BREAK,
      SourceAddress: r.src + 4096n - 100n,
      NextSourceAddress: r.src + 0x8000n,
      DestinationAddress: r.dst,
    });
    expect(events[0]).toMatchObject({ kind: 'copied', source: [{ pa: r.src + 3996n, length: 100 }, { pa: r.src + 0x8000n, length: 200 }] });
    expect(rig.memory.read(rig.dst, 100)).toEqual(rig.memory.read(rig.src + 3996n, 100));
    expect(rig.memory.read(rig.dst + 100n, 200)).toEqual(rig.memory.read(rig.src + 0x8000n, 200));
  });

  it('destination page break writes two segments', () => {
    const r = rig0();
    const { rig, events } = runSingle({
      TransferSize: 5000,
      ControlFlags: NET_DMA_DESTINATION_PAGE_BREAK,
      SourceAddress: r.src,
      DestinationAddress: r.dst + 4000n,
      NextDestinationAddress: r.dst + 0x8000n,
    });
    expect(events[0]).toMatchObject({ kind: 'copied', destination: [{ pa: r.dst + 4000n, length: 96 }, { pa: r.dst + 0x8000n, length: 4904 }] });
    expect(rig.memory.read(rig.dst + 4000n, 96)).toEqual(rig.memory.read(rig.src, 96));
    expect(rig.memory.read(rig.dst + 0x8000n, 4904)).toEqual(rig.memory.read(rig.src + 96n, 4904));
    expect(rig.memory.read(rig.dst + 4096n, 16).every((b) => b === 0)).toBe(true);
  });

  it('a page-break flag on a transfer that does not cross its page uses one segment', () => {
    const r = rig0();
    const { events } = runSingle({ TransferSize: 64, ControlFlags: NET_DMA_SOURCE_PAGE_BREAK | NET_DMA_DESTINATION_PAGE_BREAK, SourceAddress: r.src, DestinationAddress: r.dst, NextSourceAddress: 0n, NextDestinationAddress: 0n });
    expect(events[0]).toMatchObject({ kind: 'copied', source: [{ pa: r.src, length: 64 }], destination: [{ pa: r.dst, length: 64 }] });
  });

  it('without the flag, a range crossing out of its allocation is an address error', () => {
    const r = rig0();
    const { events } = runSingle({ TransferSize: 64, SourceAddress: r.src, DestinationAddress: r.dst + 0x10000n - 8n });
    expect(events[0]).toMatchObject({ kind: 'error', chanerr: CHANERR.DEST_ADDR });
  });

  it('the second segment must be allocated', () => {
    const r = rig0();
    const { events } = runSingle({ TransferSize: 200, ControlFlags: NET_DMA_SOURCE_PAGE_BREAK, SourceAddress: r.src + 4000n, NextSourceAddress: 0x1000n, DestinationAddress: r.dst });
    expect(events[0]).toMatchObject({ kind: 'error', chanerr: CHANERR.SRC_ADDR });
  });
});

describe('context change and DCA', () => {
  it('records the APIC id, moves nothing and completes per its flags', () => {
    const rig = makeRig();
    rig.writeDescriptor(0, { TransferSize: 0x1234_56ab, ControlFlags: NET_DMA_OP_TYPE_CONTEXT_CHANGE | STATUS, SourceAddress: 0x1n, NextDescriptor: rig.slot(1) });
    rig.writeDescriptor(1, { TransferSize: 16, ControlFlags: NET_DMA_DESTINATION_DCA_ENABLE, SourceAddress: rig.src, DestinationAddress: rig.dst });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    const [cc, copy] = rig.run();
    expect(cc).toMatchObject({ kind: 'context-change', apicId: 0xab, status: NetDmaTransferStatusActive });
    expect(rig.completionWord()).toBe(completionWord(rig.slot(0), NetDmaTransferStatusActive));
    expect(copy).toMatchObject({ kind: 'copied', dcaRequested: true, dcaTarget: 0xab });
    expect(rig.engine.channelSnapshot(0).dcaApicId).toBe(0xab);
    rig.cmd(0, 'RESET');
    expect(rig.engine.channelSnapshot(0).dcaApicId).toBeUndefined();
  });
});

describe('counted chains (NetDMA 2.0)', () => {
  /** A ring of `n` NULL descriptors. */
  function ring(rig: Rig, n: number, flags = STATUS | NET_DMA_NULL_TRANSFER): void {
    for (let i = 0; i < n; i++) rig.writeDescriptor(i, { ControlFlags: flags, NextDescriptor: rig.slot((i + 1) % n) });
  }

  it('CHAINADDR then DMACOUNT starts; the engine stops when its count reaches DMACOUNT', () => {
    const rig = makeRig();
    ring(rig, 8);
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    expect(rig.engine.channelSnapshot(0).state).toBe('armed');
    rig.setReg(0, 'DMACOUNT', 3);
    expect(rig.engine.channelSnapshot(0)).toMatchObject({ state: 'active', mode: 'counted' });
    const events = rig.run();
    expect(events.map((e) => e.kind === 'null' && e.status)).toEqual([0, 0, 1]);
    expect(rig.engine.channelSnapshot(0)).toMatchObject({ state: 'idle', completedCount: 3, chansts: rig.slot(2) | 1n });
    // More work: continues at the tail's NextDescriptor.
    rig.setReg(0, 'DMACOUNT', 5);
    const more = rig.run();
    expect(more.map((e) => (e.kind === 'null' ? e.descriptorPa : 0n))).toEqual([rig.slot(3), rig.slot(4)]);
  });

  it('DMACOUNT written while active adds work', () => {
    const rig = makeRig();
    ring(rig, 8);
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.setReg(0, 'DMACOUNT', 1);
    rig.setReg(0, 'DMACOUNT', 4);
    expect(rig.run()).toHaveLength(4);
  });

  it('the 16-bit running count wraps', () => {
    const rig = makeRig();
    ring(rig, 4);
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.setReg(0, 'DMACOUNT', 0xfffe);
    rig.cmd(0, 'ABORT');
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.setReg(0, 'DMACOUNT', 0x0002); // 4 more, across the wrap
    expect(rig.engine.channelSnapshot(0).completedCount).toBe(0xfffe);
    expect(rig.run()).toHaveLength(4);
    expect(rig.engine.channelSnapshot(0)).toMatchObject({ completedCount: 2, state: 'idle' });
  });

  it('a new CHAINADDR on an idle counted channel restarts there', () => {
    const rig = makeRig();
    ring(rig, 8);
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.setReg(0, 'DMACOUNT', 2);
    rig.run();
    rig.setReg(0, 'CHAINADDR', rig.slot(6));
    rig.setReg(0, 'DMACOUNT', 3);
    expect(rig.run().map((e) => (e.kind === 'null' ? e.descriptorPa : 0n))).toEqual([rig.slot(6)]);
  });

  it('SUSPEND / RESUME keep counting; RESUME with nothing left goes idle', () => {
    const rig = makeRig();
    ring(rig, 8);
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.setReg(0, 'DMACOUNT', 3);
    rig.engine.step(0);
    rig.cmd(0, 'SUSPEND');
    expect(rig.reg(0, 'CHANSTS')).toBe(rig.slot(0) | 2n);
    rig.cmd(0, 'RESUME');
    expect(rig.run()).toHaveLength(2);
    rig.cmd(0, 'SUSPEND');
    rig.cmd(0, 'RESUME');
    expect(rig.engine.channelSnapshot(0).state).toBe('idle');
  });

  it('DMACOUNT writes without a new CHAINADDR do nothing on a linked or armed channel', () => {
    const rig = makeRig();
    rig.setReg(0, 'DMACOUNT', 3);
    expect(rig.engine.channelSnapshot(0).state).toBe('armed');
    ring(rig, 2);
    rig.writeDescriptor(1, { ControlFlags: NET_DMA_NULL_TRANSFER });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    rig.run();
    rig.setReg(0, 'DMACOUNT', 9);
    expect(rig.engine.channelSnapshot(0)).toMatchObject({ state: 'idle', mode: 'linked' });
  });
});

describe('hot path', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a 1 MiB copy is one step and one typed-array operation (set, or copyWithin inside one backing chunk)', () => {
    const memory = new PhysicalMemory();
    const engine = new IoatEngine({ memory, channelCount: 1, xfercapLog2: 20, raiseInterrupt: () => {} });
    const src = memory.allocateContiguous(1 << 20);
    const dst = memory.allocateContiguous(1 << 20);
    const desc = memory.allocateContiguous(64);
    memory.fill(src, 1 << 20, 0xa5);
    memory.write(desc, new Uint8Array(64));
    memory.writeU32(desc, 1 << 20);
    memory.writeU64(desc + 8n, src);
    memory.writeU64(desc + 16n, dst);
    engine.mmioWrite(0x80 + 0x10, 8, desc);
    engine.mmioWrite(0x80 + 0x04, 1, 1n);
    const set = vi.spyOn(Uint8Array.prototype, 'set');
    const copyWithin = vi.spyOn(Uint8Array.prototype, 'copyWithin');
    const e = engine.step(0);
    const bigSets = set.mock.calls.filter(([arr]) => (arr as ArrayLike<number>).length === 1 << 20);
    const bigMoves = copyWithin.mock.calls.filter(([, start, end]) => (end ?? 0) - start === 1 << 20);
    expect(bigSets.length + bigMoves.length).toBe(1);
    expect(e).toMatchObject({ kind: 'copied', bytes: 1 << 20 });
    expect(memory.view(dst, 1 << 20).every((b) => b === 0xa5)).toBe(true);
  });
});

describe('multiple channels', () => {
  it('are independent and share one memory', () => {
    const rig = makeRig({ channelCount: 2 });
    fillPattern(rig.memory, rig.src, 512);
    rig.writeDescriptor(0, { TransferSize: 256, ControlFlags: STATUS | NET_DMA_INTERRUPT_ON_COMPLETION, SourceAddress: rig.src, DestinationAddress: rig.dst });
    rig.writeDescriptor(1, { TransferSize: 256, ControlFlags: STATUS | NET_DMA_INTERRUPT_ON_COMPLETION, SourceAddress: rig.src + 256n, DestinationAddress: rig.dst + 256n });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.setReg(1, 'CHAINADDR', rig.slot(1));
    rig.cmd(0, 'START');
    rig.cmd(1, 'START');
    expect(rig.engine.runnableChannels()).toEqual([0, 1]);
    rig.engine.step(1);
    rig.engine.step(0);
    expect(rig.interrupts).toEqual([1, 0]);
    expect(rig.memory.readU64(rig.completion + 64n)).toBe(completionWord(rig.slot(1), NetDmaTransferStatusIdle));
    expect(rig.memory.read(rig.dst, 512)).toEqual(rig.memory.read(rig.src, 512));
    expect(rig.engine.mmioRead(0x04, 4)).toBe(3n);
  });
});

/** Addresses of a default rig (allocation is deterministic). */
function rig0(): Rig {
  return makeRig({ program: false });
}
