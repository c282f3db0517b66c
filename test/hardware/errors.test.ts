import { describe, expect, it } from 'vitest';
import {
  CHANCTRL,
  CHANERR,
  completionWord,
  DESCRIPTOR_FAULT_CHANERR,
  faultPlan,
  NET_DMA_DESTINATION_PAGE_BREAK,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_SOURCE_PAGE_BREAK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  NetDmaTransferStatusHalted,
  NO_FAULTS,
} from '../../src/hardware/index';
import type { DescriptorFaultKind, NetDmaDescriptor } from '../../src/hardware/index';
import { fillPattern, makeRig } from './helpers';
import type { Rig, RigOptions } from './helpers';

const STATUS = NET_DMA_STATUS_UPDATE_ON_COMPLETION;

function runOne(d: Partial<NetDmaDescriptor>, options: RigOptions = {}, prepare?: (rig: Rig) => void) {
  const rig = makeRig(options);
  prepare?.(rig);
  fillPattern(rig.memory, rig.src, 0x10000);
  const pa = rig.writeDescriptor(0, d);
  rig.setReg(0, 'CHAINADDR', pa);
  rig.cmd(0, 'START');
  rig.memory.writeLog.resetLog();
  const events = rig.run();
  return { rig, pa, events };
}

function expectHalt(rig: Rig, faultingPa: bigint, bit: number): void {
  const snap = rig.engine.channelSnapshot(0);
  expect(snap.state).toBe('halted');
  expect(snap.haltCause).toBe('error');
  expect(snap.chanerr).toBe(bit);
  expect(rig.reg(0, 'CHANSTS')).toBe((faultingPa & ~0x3fn) | 3n);
  expect(rig.engine.runnableChannels()).toEqual([]);
}

describe('descriptor errors halt the channel with their CHANERR bit', () => {
  const cases: Array<[string, number, (rig: Rig) => Partial<NetDmaDescriptor>]> = [
    ['source address unallocated', CHANERR.SRC_ADDR, (r) => ({ TransferSize: 64, SourceAddress: 0x20n, DestinationAddress: r.dst })],
    ['source range crosses the allocation end', CHANERR.SRC_ADDR, (r) => ({ TransferSize: 64, SourceAddress: r.src + 0x10000n - 32n, DestinationAddress: r.dst })],
    ['destination address unallocated', CHANERR.DEST_ADDR, (r) => ({ TransferSize: 64, SourceAddress: r.src, DestinationAddress: r.dst + 0x20000n })],
    ['undefined ControlFlags bit', CHANERR.DESC_CONTROL, (r) => ({ TransferSize: 64, ControlFlags: 0x100, SourceAddress: r.src, DestinationAddress: r.dst })],
    ['undefined op type', CHANERR.DESC_CONTROL, (r) => ({ TransferSize: 64, ControlFlags: 0x0100_0000, SourceAddress: r.src, DestinationAddress: r.dst })],
    ['misaligned NextSourceAddress with page break', CHANERR.DESC_CONTROL, (r) => ({ TransferSize: 64, ControlFlags: NET_DMA_SOURCE_PAGE_BREAK, SourceAddress: r.src, DestinationAddress: r.dst, NextSourceAddress: r.src + 8n })],
    ['misaligned NextDestinationAddress with page break', CHANERR.DESC_CONTROL, (r) => ({ TransferSize: 64, ControlFlags: NET_DMA_DESTINATION_PAGE_BREAK, SourceAddress: r.src, DestinationAddress: r.dst, NextDestinationAddress: r.dst + 0x800n })],
    ['transfer above XFERCAP', CHANERR.LENGTH, (r) => ({ TransferSize: 0x10_0001, SourceAddress: r.src, DestinationAddress: r.dst })],
  ];
  for (const [name, bit, build] of cases) {
    it(`${name} -> CHANERR 0x${bit.toString(16)}`, () => {
      const rig0 = makeRig();
      const d = build(rig0);
      const { rig, pa, events } = runOne(d);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'error', chanerr: bit, descriptorPa: pa, injected: false });
      expectHalt(rig, pa, bit);
      // Nothing but the HALTED completion word was written.
      expect(rig.memory.writeLog.ranges()).toEqual([{ pa: rig.completion, length: 8, by: 'dma' }]);
      expect(rig.completionWord()).toBe(completionWord(pa, NetDmaTransferStatusHalted));
      // ERR_INT_EN: the error raised the interrupt.
      expect(rig.interrupts).toEqual([0]);
    });
  }

  it('next descriptor not 64-byte aligned -> 0x8', () => {
    const { rig, events } = runOne({ ControlFlags: NET_DMA_NULL_TRANSFER }, {}, () => undefined);
    const bad = rig.slot(0) + 8n;
    rig.memory.writeU64(rig.slot(0) + 24n, bad);
    expect(events[0]).toMatchObject({ kind: 'null' });
    // Patch the tail to the misaligned address and append.
    rig.cmd(0, 'APPEND');
    const more = rig.run();
    expect(more[0]).toMatchObject({ kind: 'error', chanerr: CHANERR.NEXT_DESC_ALIGN, descriptorPa: bad });
    expectHalt(rig, bad, CHANERR.NEXT_DESC_ALIGN);
  });

  it('next descriptor in unallocated memory -> 0x4', () => {
    const rig = makeRig();
    rig.writeDescriptor(0, { ControlFlags: NET_DMA_NULL_TRANSFER, NextDescriptor: 0x40n });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    const events = rig.run();
    expect(events.map((e) => e.kind)).toEqual(['null', 'error']);
    expect(events[1]).toMatchObject({ chanerr: CHANERR.NEXT_DESC_ADDR, descriptorPa: 0x40n });
    expectHalt(rig, 0x40n, CHANERR.NEXT_DESC_ADDR);
    expect(rig.engine.channelSnapshot(0).currentDescriptorPa).toBe(0x40n);
  });

  it('CHAINADDR itself misaligned -> 0x8, unallocated -> 0x4', () => {
    for (const [addr, bit] of [
      [0x1000_0004n, CHANERR.NEXT_DESC_ALIGN],
      [0x40n, CHANERR.NEXT_DESC_ADDR],
    ] as const) {
      const rig = makeRig();
      rig.setReg(0, 'CHAINADDR', addr);
      rig.cmd(0, 'START');
      expect(rig.run()[0]).toMatchObject({ kind: 'error', chanerr: bit });
    }
  });

  it('completion address misaligned -> 0x1000 after the data was copied', () => {
    const rig = makeRig();
    rig.setReg(0, 'CHANCMP', rig.completion + 8n);
    fillPattern(rig.memory, rig.src, 128);
    rig.writeDescriptor(0, { TransferSize: 128, ControlFlags: STATUS, SourceAddress: rig.src, DestinationAddress: rig.dst });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    const events = rig.run();
    expect(events[0]).toMatchObject({ kind: 'error', chanerr: CHANERR.COMPLETION_ADDR, completionWrite: undefined });
    expect(rig.memory.read(rig.dst, 128)).toEqual(rig.memory.read(rig.src, 128));
    expectHalt(rig, rig.slot(0), CHANERR.COMPLETION_ADDR);
  });

  it('completion address unallocated -> 0x1000', () => {
    const rig = makeRig();
    rig.setReg(0, 'CHANCMP', 0x40n);
    rig.writeDescriptor(0, { ControlFlags: STATUS | NET_DMA_NULL_TRANSFER });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    expect(rig.run()[0]).toMatchObject({ kind: 'error', chanerr: CHANERR.COMPLETION_ADDR });
  });

  it('without ERR_COMPLETION_EN / ERR_INT_EN an error writes nothing and raises nothing', () => {
    const { rig } = runOne({ TransferSize: 64, SourceAddress: 0x20n, DestinationAddress: 0x20n }, { chanctrl: CHANCTRL.INT_REARM });
    expect(rig.memory.writeLog.ranges()).toEqual([]);
    expect(rig.interrupts).toEqual([]);
    expect(rig.reg(0, 'CHANERR')).toBe(BigInt(CHANERR.SRC_ADDR));
  });

  it('CHANERR_MASK suppresses the error completion word and interrupt but not the halt', () => {
    const { rig } = runOne({ TransferSize: 64, SourceAddress: 0x20n, DestinationAddress: 0x20n }, {}, (r) => r.setReg(0, 'CHANERR_MASK', CHANERR.SRC_ADDR));
    expect(rig.memory.writeLog.ranges()).toEqual([]);
    expect(rig.interrupts).toEqual([]);
    expect(rig.engine.channelSnapshot(0).state).toBe('halted');
  });

  it('a halted channel does nothing until RESET; clearing CHANERR does not restart it', () => {
    const { rig } = runOne({ TransferSize: 64, SourceAddress: 0x20n, DestinationAddress: 0x20n });
    rig.setReg(0, 'CHANERR', 0xffffffff);
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
    expect(rig.engine.channelSnapshot(0).state).toBe('halted');
    rig.cmd(0, 'START');
    rig.cmd(0, 'APPEND');
    rig.cmd(0, 'RESUME');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    expect(rig.engine.step(0)).toBeUndefined();
  });

  it('an error on the second descriptor leaves the first one complete', () => {
    const rig = makeRig();
    fillPattern(rig.memory, rig.src, 64);
    rig.writeDescriptor(0, { TransferSize: 64, ControlFlags: STATUS, SourceAddress: rig.src, DestinationAddress: rig.dst, NextDescriptor: rig.slot(1) });
    rig.writeDescriptor(1, { TransferSize: 64, ControlFlags: STATUS, SourceAddress: rig.src, DestinationAddress: 0x40n });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    const events = rig.run();
    expect(events.map((e) => e.kind)).toEqual(['copied', 'error']);
    expect(rig.memory.read(rig.dst, 64)).toEqual(rig.memory.read(rig.src, 64));
    expect(rig.engine.channelSnapshot(0).completedCount).toBe(1);
    expectHalt(rig, rig.slot(1), CHANERR.DEST_ADDR);
  });
});

describe('fault injection', () => {
  const kinds = Object.keys(DESCRIPTOR_FAULT_CHANERR) as DescriptorFaultKind[];
  for (const kind of kinds) {
    it(`forces ${kind}`, () => {
      const rig = makeRig({ faults: faultPlan({ kind, channel: 0, ordinal: 1 }) });
      fillPattern(rig.memory, rig.src, 256);
      for (let i = 0; i < 3; i++) {
        rig.writeDescriptor(i, {
          TransferSize: 64,
          ControlFlags: STATUS,
          SourceAddress: rig.src + BigInt(64 * i),
          DestinationAddress: rig.dst + BigInt(64 * i),
          NextDescriptor: i < 2 ? rig.slot(i + 1) : 0n,
        });
      }
      rig.setReg(0, 'CHAINADDR', rig.slot(0));
      rig.cmd(0, 'START');
      const events = rig.run();
      expect(events.map((e) => e.kind)).toEqual(['copied', 'error']);
      const bit = DESCRIPTOR_FAULT_CHANERR[kind];
      expect(events[1]).toMatchObject({ chanerr: bit, injected: true, descriptorPa: rig.slot(1), ordinal: 1 });
      expectHalt(rig, rig.slot(1), bit);
      // Only the completion-address fault comes after the copy.
      const copied = rig.memory.read(rig.dst + 64n, 64).every((b, i) => b === rig.memory.read(rig.src + 64n, 64)[i]);
      expect(copied).toBe(kind === 'completion-address');
    });
  }

  it('selects by predicate', () => {
    const rig = makeRig({ faults: faultPlan({ kind: 'length', channel: 0, when: (c) => c.descriptor?.TransferSize === 7 }) });
    rig.writeDescriptor(0, { TransferSize: 8, SourceAddress: rig.src, DestinationAddress: rig.dst, NextDescriptor: rig.slot(1) });
    rig.writeDescriptor(1, { TransferSize: 7, SourceAddress: rig.src, DestinationAddress: rig.dst });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    expect(rig.run().map((e) => e.kind)).toEqual(['copied', 'error']);
  });

  it('lost interrupt: INT_REARM cleared and ATTNSTATUS set, no message', () => {
    const rig = makeRig({ faults: faultPlan({ kind: 'lost-interrupt', channel: 0, ordinal: 0 }) });
    rig.writeDescriptor(0, { ControlFlags: NET_DMA_NULL_TRANSFER | NET_DMA_INTERRUPT_ON_COMPLETION });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    expect(rig.run()[0]).toMatchObject({ kind: 'null', interrupt: 'lost' });
    expect(rig.interrupts).toEqual([]);
    expect(rig.engine.mmioRead(0x04, 4)).toBe(1n);
    expect(Number(rig.reg(0, 'CHANCTRL')) & CHANCTRL.INT_REARM).toBe(0);
  });

  it('stall: the channel is not runnable until the rule is removed', () => {
    const rig = makeRig({ faults: faultPlan({ kind: 'stall', channel: 0, fromOrdinal: 1 }) });
    for (let i = 0; i < 3; i++) rig.writeDescriptor(i, { ControlFlags: NET_DMA_NULL_TRANSFER, NextDescriptor: i < 2 ? rig.slot(i + 1) : 0n });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    expect(rig.run()).toHaveLength(1);
    expect(rig.engine.runnableChannels()).toEqual([]);
    expect(rig.engine.step(0)).toBeUndefined();
    expect(rig.engine.channelSnapshot(0).state).toBe('active');
    rig.engine.setFaults(NO_FAULTS);
    expect(rig.run()).toHaveLength(2);
  });

  it('reset-hang: CHANCMD reads RESET until the rule is removed', () => {
    const rig = makeRig({ faults: faultPlan({ kind: 'reset-hang', channel: 0 }) });
    rig.writeDescriptor(0, { ControlFlags: NET_DMA_NULL_TRANSFER });
    rig.setReg(0, 'CHAINADDR', rig.slot(0));
    rig.cmd(0, 'START');
    rig.cmd(0, 'RESET');
    expect(rig.reg(0, 'CHANCMD')).toBe(0x20n);
    expect(rig.engine.runnableChannels()).toEqual([]);
    rig.cmd(0, 'START'); // ignored
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
    rig.engine.setFaults(NO_FAULTS);
    expect(rig.reg(0, 'CHANCMD')).toBe(0n);
    expect(rig.engine.channelSnapshot(0)).toMatchObject({ state: 'armed', resetPending: false });
  });

  it('ordinals keep counting across RESET', () => {
    const rig = makeRig();
    rig.writeDescriptor(0, { ControlFlags: NET_DMA_NULL_TRANSFER });
    for (let k = 0; k < 3; k++) {
      rig.setReg(0, 'CHAINADDR', rig.slot(0));
      rig.cmd(0, 'START');
      expect(rig.run()[0]).toMatchObject({ ordinal: k });
      rig.cmd(0, 'RESET');
    }
    expect(rig.engine.channelSnapshot(0).descriptorsFetched).toBe(3);
  });
});
