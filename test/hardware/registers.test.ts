import { describe, expect, it } from 'vitest';
import {
  bar0Length,
  CHANCTRL,
  CHANNEL_REGISTERS,
  channelBlockOffset,
  decodeChanCmd,
  GENERAL_REGISTERS,
  INTRCTRL,
  IoatEngine,
  MmioAccessError,
  PCI_CAP_ID_MSIX,
  PCI_CONFIG,
  PhysicalMemory,
} from '../../src/hardware/index';
import { makeRig } from './helpers';

const ch0 = channelBlockOffset(0);
const ch1 = channelBlockOffset(1);

describe('general register block', () => {
  it('reports CHANCNT, XFERCAP, VER and BAR0 length', () => {
    const engine = new IoatEngine({ memory: new PhysicalMemory(), channelCount: 4, xfercapLog2: 20, raiseInterrupt: () => {} });
    expect(engine.mmioRead(GENERAL_REGISTERS.CHANCNT.offset, 1)).toBe(4n);
    expect(engine.mmioRead(GENERAL_REGISTERS.XFERCAP.offset, 1)).toBe(20n);
    expect(engine.mmioRead(GENERAL_REGISTERS.VER.offset, 1)).toBe(0x30n);
    expect(engine.bar0Length).toBe(0x80 * 5);
    expect(bar0Length(4)).toBe(0x280);
  });

  it('honours version, vendor and device ids in config space', () => {
    const engine = new IoatEngine({
      memory: new PhysicalMemory(),
      channelCount: 3,
      xfercapLog2: 12,
      version: 0x33,
      vendorId: 0x1234,
      deviceId: 0xabcd,
      raiseInterrupt: () => {},
    });
    const cs = new DataView(engine.configSpace.buffer);
    expect(engine.configSpace.length).toBe(256);
    expect(cs.getUint16(PCI_CONFIG.VENDOR_ID, true)).toBe(0x1234);
    expect(cs.getUint16(PCI_CONFIG.DEVICE_ID, true)).toBe(0xabcd);
    expect(engine.configSpace[PCI_CONFIG.REVISION_ID]).toBe(0x33);
    expect(engine.mmioRead(GENERAL_REGISTERS.VER.offset, 1)).toBe(0x33n);
    const cap = engine.configSpace[PCI_CONFIG.CAPABILITIES_POINTER]!;
    expect(engine.configSpace[cap]).toBe(PCI_CAP_ID_MSIX);
    expect(cs.getUint16(cap + 2, true) & 0x7ff).toBe(2);
  });

  it('defaults vendor id to 0x8086', () => {
    const engine = new IoatEngine({ memory: new PhysicalMemory(), channelCount: 1, xfercapLog2: 0, raiseInterrupt: () => {} });
    expect(new DataView(engine.configSpace.buffer).getUint16(0, true)).toBe(0x8086);
    expect(engine.mmioRead(GENERAL_REGISTERS.XFERCAP.offset, 1)).toBe(0n);
  });

  it('rejects bad construction parameters', () => {
    const memory = new PhysicalMemory();
    expect(() => new IoatEngine({ memory, channelCount: 0, xfercapLog2: 20, raiseInterrupt: () => {} })).toThrow(RangeError);
    expect(() => new IoatEngine({ memory, channelCount: 17, xfercapLog2: 20, raiseInterrupt: () => {} })).toThrow(RangeError);
    expect(() => new IoatEngine({ memory, channelCount: 1, xfercapLog2: 32, raiseInterrupt: () => {} })).toThrow(RangeError);
  });

  it('stores INTRCTRL and INTRDELAY with their masks; read-only registers ignore writes', () => {
    const { engine } = makeRig({ program: false });
    engine.mmioWrite(GENERAL_REGISTERS.INTRCTRL.offset, 1, 0xffn);
    expect(engine.mmioRead(GENERAL_REGISTERS.INTRCTRL.offset, 1)).toBe(BigInt(INTRCTRL.MASTER_INT_EN | INTRCTRL.INT | INTRCTRL.MSIX_VECTOR_CONTROL));
    engine.mmioWrite(GENERAL_REGISTERS.INTRDELAY.offset, 2, 0xffffn);
    expect(engine.mmioRead(GENERAL_REGISTERS.INTRDELAY.offset, 2)).toBe(0x3fffn);
    engine.mmioWrite(GENERAL_REGISTERS.CHANCNT.offset, 1, 9n);
    engine.mmioWrite(GENERAL_REGISTERS.VER.offset, 1, 9n);
    expect(engine.mmioRead(GENERAL_REGISTERS.CHANCNT.offset, 1)).toBe(2n);
    expect(engine.mmioRead(GENERAL_REGISTERS.VER.offset, 1)).toBe(0x30n);
  });
});

describe('channel registers', () => {
  it('CHAINADDR and CHANCMP work as one 64-bit access and as two 32-bit halves', () => {
    const { engine } = makeRig({ program: false });
    engine.mmioWrite(ch0 + CHANNEL_REGISTERS.CHAINADDR.offset, 8, 0x1122_3344_5566_7780n);
    expect(engine.mmioRead(ch0 + 0x10, 4)).toBe(0x5566_7780n);
    expect(engine.mmioRead(ch0 + 0x14, 4)).toBe(0x1122_3344n);
    engine.mmioWrite(ch0 + 0x18, 4, 0xdead_bec0n); // CHANCMP low then high, as Linux does
    engine.mmioWrite(ch0 + 0x1c, 4, 0x1n);
    expect(engine.mmioRead(ch0 + 0x18, 8)).toBe(0x1_dead_bec0n);
    expect(engine.channelSnapshot(0).completionAddress).toBe(0x1_dead_bec0n);
    expect(engine.channelSnapshot(0).chainAddr).toBe(0x1122_3344_5566_7780n);
  });

  it('keeps channels independent', () => {
    const { engine } = makeRig({ program: false });
    engine.mmioWrite(ch1 + 0x10, 8, 0x4000n);
    expect(engine.mmioRead(ch0 + 0x10, 8)).toBe(0n);
    expect(engine.mmioRead(ch1 + 0x10, 8)).toBe(0x4000n);
  });

  it('CHANSTS: armed after power-on, read-only, low-half read latches the high half', () => {
    const rig = makeRig();
    const { engine } = rig;
    expect(engine.mmioRead(ch0 + 0x08, 8)).toBe(4n);
    engine.mmioWrite(ch0 + 0x08, 8, 0xffffn);
    expect(engine.mmioRead(ch0 + 0x08, 8)).toBe(4n);
    // Put a descriptor above 4 GiB so CHANSTS has a high half.
    const high = rig.memory.allocateAt(0x1_0000_0000n, 4096);
    rig.memory.write(high, new Uint8Array(64)); // zero descriptor: copy of 0 bytes, NextDescriptor 0
    rig.setReg(0, 'CHAINADDR', high);
    rig.cmd(0, 'START');
    const lo = engine.mmioRead(ch0 + 0x08, 4);
    rig.run(0);
    expect(engine.mmioRead(ch0 + 0x0c, 4)).toBe(0n); // latched before the step
    expect(lo).toBe(0n); // ACTIVE, no completion yet
    expect(engine.mmioRead(ch0 + 0x0c, 4)).toBe(1n); // latch consumed, live value
    expect(engine.mmioRead(ch0 + 0x08, 8)).toBe(high | 1n);
  });

  it('CHANCTRL keeps only defined bits; byte writes merge', () => {
    const { engine } = makeRig({ program: false });
    engine.mmioWrite(ch0, 2, 0xffffn);
    expect(engine.mmioRead(ch0, 2)).toBe(0x011dn);
    engine.mmioWrite(ch0 + 1, 1, 0n);
    expect(engine.mmioRead(ch0, 2)).toBe(0x001dn);
    expect(engine.mmioRead(ch0, 1)).toBe(0x1dn);
  });

  it('DMACOUNT reads back what was written (16 bits)', () => {
    const { engine } = makeRig({ program: false });
    engine.mmioWrite(ch0 + 0x06, 2, 0x1234n);
    expect(engine.mmioRead(ch0 + 0x06, 2)).toBe(0x1234n);
    engine.mmioWrite(ch0 + 0x07, 1, 0xabn);
    expect(engine.mmioRead(ch0 + 0x06, 2)).toBe(0xab34n);
  });

  it('CHANERR is write-1-to-clear; CHANERR_MASK is plain read/write', () => {
    const rig = makeRig();
    rig.cmd(0, 'RESUME'); // illegal while armed -> 0x20
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    rig.setReg(0, 'CHANERR', 0x1); // other bit: no effect
    expect(rig.reg(0, 'CHANERR')).toBe(0x20n);
    rig.setReg(0, 'CHANERR', 0x20);
    expect(rig.reg(0, 'CHANERR')).toBe(0n);
    rig.setReg(0, 'CHANERR_MASK', 0x1234);
    expect(rig.reg(0, 'CHANERR_MASK')).toBe(0x1234n);
  });

  it('CHANCMD reads 0 and CDAR is read-only', () => {
    const rig = makeRig();
    rig.cmd(0, 'RESET');
    expect(rig.reg(0, 'CHANCMD')).toBe(0n);
    rig.setReg(0, 'CDAR', 0x1000n);
    expect(rig.reg(0, 'CDAR')).toBe(0n);
  });

  it('reserved offsets read 0 and ignore writes', () => {
    const { engine } = makeRig();
    engine.mmioWrite(ch0 + 0x40, 4, 0xffffffffn);
    expect(engine.mmioRead(ch0 + 0x40, 4)).toBe(0n);
    expect(engine.mmioRead(0x02, 1)).toBe(0n);
  });

  it('rejects misaligned, out-of-range, straddling and bad-width accesses', () => {
    const { engine } = makeRig();
    expect(() => engine.mmioRead(ch0 + 0x0a, 4)).toThrow(MmioAccessError);
    expect(() => engine.mmioRead(engine.bar0Length, 1)).toThrow(MmioAccessError);
    expect(() => engine.mmioRead(-1, 1)).toThrow(MmioAccessError);
    expect(() => engine.mmioWrite(ch0 + 0x04, 4, 0n)).toThrow(/straddles/);
    expect(() => engine.mmioRead(0, 3 as 1)).toThrow(MmioAccessError);
  });
});

describe('decodeChanCmd', () => {
  it('decodes single commands, zero, several bits and reserved bits', () => {
    expect(decodeChanCmd(0)).toEqual({ kind: 'none' });
    expect(decodeChanCmd(0x01)).toEqual({ kind: 'start' });
    expect(decodeChanCmd(0x02)).toEqual({ kind: 'append' });
    expect(decodeChanCmd(0x04)).toEqual({ kind: 'suspend' });
    expect(decodeChanCmd(0x08)).toEqual({ kind: 'abort' });
    expect(decodeChanCmd(0x10)).toEqual({ kind: 'resume' });
    expect(decodeChanCmd(0x20)).toEqual({ kind: 'reset' });
    expect(decodeChanCmd(0x03)).toEqual({ kind: 'illegal', value: 3, reason: 'several-commands' });
    expect(decodeChanCmd(0x40)).toEqual({ kind: 'illegal', value: 0x40, reason: 'reserved-bits' });
  });

  it('CHANCTRL constants match the Linux run value', () => {
    expect(CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM).toBe(0x1d);
  });
});
