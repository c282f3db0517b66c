/**
 * Issue 13: the engine's timing — the prefetch window (CDAR ahead of CHANSTS, a tail read as the
 * end of the chain until APPEND / DMACOUNT) and commands that take effect later (RESET, SUSPEND,
 * ABORT). See src/hardware/dma.ts (*Prefetch*), src/hardware/commands.ts (*Command timing*) and
 * docs/engine.md.
 */
import { describe, expect, it } from 'vitest';
import { CHANSTS_ADDRESS_MASK, CHANSTS_STATE_MASK, NET_DMA_NULL_TRANSFER, NET_DMA_STATUS_UPDATE_ON_COMPLETION } from '../../src/hardware/index';
import { makeRig } from './helpers';
import type { Rig } from './helpers';

const FLAGS = NET_DMA_STATUS_UPDATE_ON_COMPLETION | NET_DMA_NULL_TRANSFER;

/** Linked chain of `n` NULL descriptors in slots `from..`; returns the head. */
function chain(rig: Rig, from: number, n: number): bigint {
  for (let i = 0; i < n; i++) rig.writeDescriptor(from + i, { ControlFlags: FLAGS, NextDescriptor: i + 1 < n ? rig.slot(from + i + 1) : 0n });
  return rig.slot(from);
}

/** Links slot `tail` to slot `to` the way NetDMA does: a CPU store to the old tail's NextDescriptor. */
function link(rig: Rig, tail: number, to: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, rig.slot(to), true);
  rig.memory.write(rig.slot(tail) + 24n, b);
}

const state = (rig: Rig, ch = 0) => Number(rig.reg(ch, 'CHANSTS') & CHANSTS_STATE_MASK);

describe('prefetch window', () => {
  it('depth 0 is the engine as before: CDAR names the descriptor being processed, a tail linked while ACTIVE is followed without APPEND', () => {
    const rig = makeRig({ prefetchDepth: 0 });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 2));
    rig.cmd(0, 'START');
    expect(rig.reg(0, 'CDAR')).toBe(0n);
    rig.engine.step(0);
    expect(rig.reg(0, 'CDAR')).toBe(rig.slot(0));
    chain(rig, 2, 1);
    link(rig, 1, 2);
    expect(rig.run().map((e) => ('descriptorPa' in e ? e.descriptorPa : 0n))).toEqual([rig.slot(1), rig.slot(2)]);
  });

  it('CDAR runs ahead of the CHANSTS completed-descriptor field', () => {
    const rig = makeRig({ prefetchDepth: 2 });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 4));
    rig.cmd(0, 'START');
    // Fetched at START: the head and the next one.
    expect(rig.reg(0, 'CDAR')).toBe(rig.slot(1));
    rig.engine.step(0);
    expect(rig.reg(0, 'CHANSTS') & CHANSTS_ADDRESS_MASK).toBe(rig.slot(0));
    expect(rig.reg(0, 'CDAR')).toBe(rig.slot(2));
    expect(rig.engine.channelSnapshot(0).prefetched).toBe(2);
  });

  it('a prefetched tail stays the end of the chain although NetDMA linked more, until APPEND makes the engine re-read it (F28)', () => {
    for (const append of [false, true]) {
      const rig = makeRig({ prefetchDepth: 1 });
      rig.setReg(0, 'CHAINADDR', chain(rig, 0, 1));
      rig.cmd(0, 'START'); // the engine has fetched slot 0 and read its NextDescriptor: 0
      chain(rig, 1, 2);
      link(rig, 0, 1);
      expect(state(rig)).toBe(0); // ACTIVE: the engine has not completed the old tail yet
      if (append) rig.cmd(0, 'APPEND');
      const done = rig.run().map((e) => ('descriptorPa' in e ? e.descriptorPa : 0n));
      expect(done).toEqual(append ? [rig.slot(0), rig.slot(1), rig.slot(2)] : [rig.slot(0)]);
      expect(rig.engine.channelSnapshot(0).state).toBe('idle');
    }
  });

  it('a counted chain re-reads on a DMACOUNT change, and never fetches beyond DMACOUNT', () => {
    const rig = makeRig({ prefetchDepth: 3 });
    const head = chain(rig, 0, 2);
    link(rig, 1, 2);
    chain(rig, 2, 2);
    rig.setReg(0, 'CHAINADDR', head);
    rig.setReg(0, 'DMACOUNT', 2);
    expect(rig.engine.channelSnapshot(0).prefetched).toBe(2);
    expect(rig.reg(0, 'CDAR')).toBe(rig.slot(1));
    rig.setReg(0, 'DMACOUNT', 4);
    expect(rig.run()).toHaveLength(4);
  });
});

describe('commands that take time', () => {
  it('RESET: CHANCMD reads 0x20 until the delay has passed; writes meanwhile are dropped and reported', () => {
    const rig = makeRig({ resetDelay: 50n });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 2));
    rig.cmd(0, 'START');
    rig.cmd(0, 'RESET');
    expect(rig.reg(0, 'CHANCMD')).toBe(0x20n);
    expect(rig.engine.runnableChannels()).toEqual([]);
    rig.setReg(0, 'CHANCMP', 0x1234_0000n);
    expect(rig.notices.some((n) => n.kind === 'write-dropped' && n.register === 'CHANCMP')).toBe(true);
    rig.advance(49n);
    expect(rig.reg(0, 'CHANCMD')).toBe(0x20n);
    rig.advance(1n);
    expect(rig.reg(0, 'CHANCMD')).toBe(0n);
    const snap = rig.engine.channelSnapshot(0);
    expect(snap).toMatchObject({ state: 'armed', resetPending: false, latchedCommand: 'none' });
    expect(snap.completionAddress).toBe(rig.completion); // the dropped write never landed
    expect(rig.notices.some((n) => n.kind === 'command-effect' && n.command === 'reset')).toBe(true);
  });

  it('SUSPEND and ABORT act after their delay; the channel goes on meanwhile (CHANSTS stays ACTIVE)', () => {
    const rig = makeRig({ stopDelay: 10n });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 4));
    rig.cmd(0, 'START');
    rig.cmd(0, 'SUSPEND');
    expect(state(rig)).toBe(0);
    rig.engine.step(0);
    rig.advance(10n);
    expect(state(rig)).toBe(2);
    expect(rig.reg(0, 'CHANSTS') & CHANSTS_ADDRESS_MASK).toBe(rig.slot(0));
    rig.cmd(0, 'RESUME');
    rig.cmd(0, 'ABORT');
    expect(state(rig)).toBe(0);
    rig.advance(10n);
    expect(state(rig)).toBe(3);
  });

  it('a new command first lets a latched SUSPEND take effect', () => {
    const rig = makeRig({ stopDelay: 1000n });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 3));
    rig.cmd(0, 'START');
    rig.cmd(0, 'SUSPEND');
    rig.cmd(0, 'RESUME'); // accepted: the SUSPEND took effect first
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
    expect(rig.run()).toHaveLength(3);
  });

  it('with delays 0 every command acts at its write', () => {
    const rig = makeRig({ resetDelay: 0n, stopDelay: 0n });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 2));
    rig.cmd(0, 'START');
    rig.cmd(0, 'SUSPEND');
    expect(state(rig)).toBe(2);
    rig.cmd(0, 'RESET');
    expect(rig.reg(0, 'CHANCMD')).toBe(0n);
  });

  it('a function reset (power loss) forgets a latched RESET and the prefetch window', () => {
    const rig = makeRig({ resetDelay: 100n, prefetchDepth: 2 });
    rig.setReg(0, 'CHAINADDR', chain(rig, 0, 3));
    rig.cmd(0, 'START');
    rig.cmd(0, 'RESET');
    rig.engine.resetFunction();
    expect(rig.engine.channelSnapshot(0)).toMatchObject({ state: 'armed', resetPending: false, latchedCommand: 'none', prefetched: 0 });
    expect(rig.reg(0, 'CHANCMD')).toBe(0n);
  });
});
