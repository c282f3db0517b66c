import { describe, expect, it } from 'vitest';
import {
  CHANCTRL,
  completionWord,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  NetDmaTransferStatusActive,
  NetDmaTransferStatusHalted,
  NetDmaTransferStatusIdle,
  NetDmaTransferStatusSuspend,
} from '../../src/hardware/index';
import { fillPattern, makeRig } from './helpers';
import type { Rig } from './helpers';

const STATUS = NET_DMA_STATUS_UPDATE_ON_COMPLETION;
const NULL = NET_DMA_NULL_TRANSFER;

/** Linked chain of `n` NULL descriptors in slots `from..from+n-1`; returns the head. */
function nullChain(rig: Rig, from: number, n: number, flags = STATUS | NULL): bigint {
  for (let i = 0; i < n; i++) {
    rig.writeDescriptor(from + i, { ControlFlags: flags, NextDescriptor: i + 1 < n ? rig.slot(from + i + 1) : 0n });
  }
  return rig.slot(from);
}

function startLinked(rig: Rig, head: bigint, ch = 0): void {
  rig.setReg(ch, 'CHAINADDR', head);
  rig.cmd(ch, 'START');
}

describe('START (linked chains)', () => {
  it('walks the list to the NULL tail and sits idle on it', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3));
    expect(rig.engine.channelSnapshot(0).state).toBe('active');
    expect(rig.engine.runnableChannels()).toEqual([0]);
    const events = rig.run();
    expect(events.map((e) => e.kind)).toEqual(['null', 'null', 'null']);
    const snap = rig.engine.channelSnapshot(0);
    expect(snap.state).toBe('idle');
    expect(snap.mode).toBe('linked');
    expect(snap.chansts).toBe(rig.slot(2) | 1n);
    expect(rig.completionWord()).toBe(completionWord(rig.slot(2), NetDmaTransferStatusIdle));
    expect(rig.engine.runnableChannels()).toEqual([]);
    expect(rig.engine.step(0)).toBeUndefined();
  });

  it('writes Active for non-final descriptors', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 2));
    rig.engine.step(0);
    expect(rig.completionWord()).toBe(completionWord(rig.slot(0), NetDmaTransferStatusActive));
    expect(rig.reg(0, 'CHANSTS')).toBe(rig.slot(0) | 0n);
  });

  it('is illegal while active, suspended or halted by error', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3));
    rig.cmd(0, 'START');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    expect(rig.notices.at(-1)).toMatchObject({ kind: 'command', command: 'start', accepted: false });
    rig.setReg(0, 'CHANERR', 0x20);
    rig.cmd(0, 'SUSPEND');
    rig.cmd(0, 'START');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
  });

  it('may restart an idle channel on a new chain', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 1));
    rig.run();
    startLinked(rig, nullChain(rig, 5, 2));
    expect(rig.run().map((e) => (e.kind === 'null' ? e.descriptorPa : 0n))).toEqual([rig.slot(5), rig.slot(6)]);
  });
});

describe('APPEND', () => {
  it('re-reads the tail of an idle chain and continues', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 2));
    rig.run();
    expect(rig.engine.channelSnapshot(0).state).toBe('idle');
    nullChain(rig, 2, 2);
    rig.memory.writeU64(rig.slot(1) + 24n, rig.slot(2)); // patch the tail
    rig.cmd(0, 'APPEND');
    expect(rig.engine.channelSnapshot(0).state).toBe('active');
    const events = rig.run();
    expect(events.map((e) => (e.kind === 'null' ? e.descriptorPa : e.kind))).toEqual([rig.slot(2), rig.slot(3)]);
    expect(rig.engine.channelSnapshot(0).chansts).toBe(rig.slot(3) | 1n);
  });

  it('on an idle chain whose tail is still NULL: one idle step, then idle again', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 1));
    rig.run();
    rig.cmd(0, 'APPEND');
    const events = rig.run();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'idle', afterPa: rig.slot(0) });
    expect(rig.engine.channelSnapshot(0).state).toBe('idle');
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
  });

  it('while active just carries on and sees the patched tail when it gets there', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3));
    rig.engine.step(0);
    nullChain(rig, 3, 1);
    rig.memory.writeU64(rig.slot(2) + 24n, rig.slot(3));
    rig.cmd(0, 'APPEND');
    expect(rig.run()).toHaveLength(3);
    expect(rig.engine.channelSnapshot(0).chansts).toBe(rig.slot(3) | 1n);
  });

  it('is illegal on an armed channel', () => {
    const rig = makeRig();
    rig.cmd(0, 'APPEND');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
  });
});

describe('SUSPEND and RESUME', () => {
  it('suspends between descriptors, reports the last completed one and writes Suspend status', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 4));
    rig.engine.step(0);
    rig.engine.step(0);
    rig.cmd(0, 'SUSPEND');
    const snap = rig.engine.channelSnapshot(0);
    expect(snap.state).toBe('suspended');
    expect(snap.lastCompletedPa).toBe(rig.slot(1));
    expect(rig.reg(0, 'CHANSTS')).toBe(rig.slot(1) | 2n);
    expect(rig.completionWord()).toBe(completionWord(rig.slot(1), NetDmaTransferStatusSuspend));
    expect(rig.engine.runnableChannels()).toEqual([]);
    expect(rig.engine.step(0)).toBeUndefined();
  });

  it('writes no Suspend status when the last descriptor did not ask for status', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3, NULL));
    rig.engine.step(0);
    rig.cmd(0, 'SUSPEND');
    expect(rig.completionWord()).toBe(0n);
    expect(rig.engine.channelSnapshot(0).state).toBe('suspended');
  });

  it('RESUME picks up list edits made while suspended', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 4));
    rig.engine.step(0);
    rig.cmd(0, 'SUSPEND');
    // Delete slot 1 from the list: slot0 -> slot2.
    rig.memory.writeU64(rig.slot(0) + 24n, rig.slot(2));
    rig.cmd(0, 'RESUME');
    expect(rig.engine.channelSnapshot(0).state).toBe('active');
    const pas = rig.run().map((e) => (e.kind === 'null' ? e.descriptorPa : 0n));
    expect(pas).toEqual([rig.slot(2), rig.slot(3)]);
  });

  it('SUSPEND before the first descriptor, then RESUME starts at the head', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 2));
    rig.cmd(0, 'SUSPEND');
    expect(rig.completionWord()).toBe(0n);
    rig.cmd(0, 'RESUME');
    expect(rig.run()).toHaveLength(2);
  });

  it('SUSPEND of an idle channel, then RESUME with a patched tail', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 1));
    rig.run();
    rig.cmd(0, 'SUSPEND');
    expect(rig.completionWord()).toBe(completionWord(rig.slot(0), NetDmaTransferStatusSuspend));
    nullChain(rig, 1, 1);
    rig.memory.writeU64(rig.slot(0) + 24n, rig.slot(1));
    rig.cmd(0, 'RESUME');
    expect(rig.run()).toHaveLength(1);
    expect(rig.engine.channelSnapshot(0).chansts).toBe(rig.slot(1) | 1n);
  });

  it('RESUME is illegal unless suspended; SUSPEND is illegal when suspended or armed', () => {
    const rig = makeRig();
    rig.cmd(0, 'SUSPEND');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    rig.setReg(0, 'CHANERR', 0xffffffff);
    startLinked(rig, nullChain(rig, 0, 2));
    rig.cmd(0, 'RESUME');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    rig.setReg(0, 'CHANERR', 0xffffffff);
    rig.cmd(0, 'SUSPEND');
    rig.cmd(0, 'SUSPEND');
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
  });
});

describe('ABORT', () => {
  it('halts without processing another descriptor and writes HALTED with ERR_COMPLETION_EN', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3));
    rig.engine.step(0);
    rig.cmd(0, 'ABORT');
    const snap = rig.engine.channelSnapshot(0);
    expect(snap.state).toBe('halted');
    expect(snap.haltCause).toBe('abort');
    expect(rig.reg(0, 'CHANSTS')).toBe(rig.slot(0) | 3n);
    expect(rig.completionWord()).toBe(completionWord(rig.slot(0), NetDmaTransferStatusHalted));
    expect(rig.engine.runnableChannels()).toEqual([]);
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
  });

  it('writes no completion word without ERR_COMPLETION_EN', () => {
    const rig = makeRig({ chanctrl: CHANCTRL.INT_REARM });
    startLinked(rig, nullChain(rig, 0, 3, NULL));
    rig.engine.step(0);
    rig.cmd(0, 'ABORT');
    expect(rig.completionWord()).toBe(0n);
    expect(rig.engine.channelSnapshot(0).state).toBe('halted');
  });

  it('accepts a new START afterwards', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3));
    rig.cmd(0, 'ABORT');
    startLinked(rig, nullChain(rig, 10, 1));
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
    expect(rig.run()).toHaveLength(1);
    expect(rig.engine.channelSnapshot(0).state).toBe('idle');
  });

  it('does nothing on an armed channel', () => {
    const rig = makeRig();
    rig.cmd(0, 'ABORT');
    expect(rig.engine.channelSnapshot(0).state).toBe('armed');
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
  });
});

describe('RESET', () => {
  it('returns the channel to the just-allocated state and never touches old descriptors', () => {
    const rig = makeRig();
    fillPattern(rig.memory, rig.src, 256);
    rig.writeDescriptor(0, { TransferSize: 256, ControlFlags: STATUS, SourceAddress: rig.src, DestinationAddress: rig.dst, NextDescriptor: rig.slot(1) });
    rig.writeDescriptor(1, { TransferSize: 256, ControlFlags: STATUS, SourceAddress: rig.src, DestinationAddress: rig.dst + 256n });
    startLinked(rig, rig.slot(0));
    rig.engine.step(0);
    rig.cmd(0, 'SUSPEND');
    rig.setReg(0, 'DMACOUNT', 7);
    rig.cmd(0, 'RESET');
    const snap = rig.engine.channelSnapshot(0);
    expect(snap).toMatchObject({
      state: 'armed',
      stateCode: 4,
      mode: 'none',
      chansts: 4n,
      chainAddr: 0n,
      dmaCount: 0,
      completedCount: 0,
      chanerr: 0,
      currentDescriptorPa: 0n,
      interruptPending: false,
      resetPending: false,
    });
    // CHANCTRL and CHANCMP survive a channel reset.
    expect(snap.completionAddress).toBe(rig.completion);
    expect(snap.chanctrl & CHANCTRL.ERR_COMPLETION_EN).toBe(CHANCTRL.ERR_COMPLETION_EN);
    expect(rig.reg(0, 'CHANCMD')).toBe(0n);
    rig.memory.writeLog.resetLog();
    expect(rig.run()).toEqual([]);
    expect(rig.memory.writeLog.ranges()).toEqual([]);
    expect(rig.memory.read(rig.dst + 256n, 256).every((b) => b === 0)).toBe(true);
  });

  it('recovers a channel halted by an error', () => {
    const rig = makeRig();
    rig.writeDescriptor(0, { TransferSize: 16, SourceAddress: 0x10n, DestinationAddress: rig.dst });
    startLinked(rig, rig.slot(0));
    rig.run();
    expect(rig.engine.channelSnapshot(0).haltCause).toBe('error');
    rig.cmd(0, 'START');
    expect(rig.reg(0, 'CHANERR')).toBe(0x1n | 0x20n);
    rig.cmd(0, 'RESET');
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
    startLinked(rig, nullChain(rig, 1, 1));
    expect(rig.run().map((e) => e.kind)).toEqual(['null']);
  });

  it('resetFunction clears every channel including CHANCTRL, CHANCMP and INTRCTRL', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 2));
    rig.engine.step(0);
    rig.engine.resetFunction();
    for (const ch of [0, 1]) {
      expect(rig.engine.channelSnapshot(ch)).toMatchObject({ state: 'armed', chanctrl: 0, completionAddress: 0n, chansts: 4n });
    }
    expect(rig.engine.mmioRead(0x03, 1)).toBe(0n);
  });
});

describe('illegal command values', () => {
  it('several bits or reserved bits set CHANERR 0x20 and change nothing', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 2));
    rig.setReg(0, 'CHANCMD', 0x0c);
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    expect(rig.engine.channelSnapshot(0).state).toBe('active');
    rig.setReg(0, 'CHANERR', 0x20);
    rig.setReg(0, 'CHANCMD', 0x80);
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    rig.setReg(0, 'CHANCMD', 0);
    expect(rig.run()).toHaveLength(2);
  });
});

describe('interrupt on completion', () => {
  it('raises once, clears INT_REARM, and a second request waits for the re-arm', () => {
    const rig = makeRig();
    startLinked(rig, nullChain(rig, 0, 3, NULL | NET_DMA_INTERRUPT_ON_COMPLETION));
    const e1 = rig.engine.step(0);
    expect(e1).toMatchObject({ interrupt: 'raised' });
    expect(rig.interrupts).toEqual([0]);
    expect(rig.engine.mmioRead(0x04, 4)).toBe(1n); // ATTNSTATUS
    expect(rig.engine.mmioRead(0x04, 4)).toBe(0n); // read clears
    expect(Number(rig.reg(0, 'CHANCTRL')) & CHANCTRL.INT_REARM).toBe(0);
    const e2 = rig.engine.step(0);
    expect(e2).toMatchObject({ interrupt: 'pending' });
    expect(rig.interrupts).toEqual([0]);
    expect(rig.engine.channelSnapshot(0).interruptPending).toBe(true);
    rig.setReg(0, 'CHANCTRL', Number(rig.reg(0, 'CHANCTRL')) | CHANCTRL.INT_REARM);
    expect(rig.interrupts).toEqual([0, 0]);
    expect(rig.notices.at(-1)).toMatchObject({ kind: 'interrupt', reason: 'rearm' });
    rig.setReg(0, 'CHANCTRL', Number(rig.reg(0, 'CHANCTRL')) | CHANCTRL.INT_REARM);
    expect(rig.interrupts).toEqual([0, 0]);
  });

  it('stays pending without MASTER_INT_EN and fires when it is set', () => {
    const rig = makeRig();
    rig.engine.mmioWrite(0x03, 1, 0n);
    startLinked(rig, nullChain(rig, 0, 1, NULL | NET_DMA_INTERRUPT_ON_COMPLETION), 1);
    rig.run(1);
    expect(rig.interrupts).toEqual([]);
    rig.engine.mmioWrite(0x03, 1, 1n);
    expect(rig.interrupts).toEqual([1]);
    expect(rig.engine.mmioRead(0x03, 1) & 2n).toBe(2n); // INT_STATUS while ATTNSTATUS non-zero
    expect(rig.engine.mmioRead(0x04, 4)).toBe(2n);
  });
});
