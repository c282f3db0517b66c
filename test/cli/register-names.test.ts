import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNEL_REGISTERS, GENERAL_REGISTERS, channelBlockOffset } from '../../src/hardware/registers';
import { decodeRegisterText, describeRegisterValue, registerName } from '../../src/report/register-names';

describe('register names at print time', () => {
  it.each([
    ['WRITE_REGISTER(PDO#1+0x184, 8, 0x1)', 'WRITE_REGISTER_UCHAR(CH2.CHANCMD @0x184, 0x01 START)'],
    ['WRITE_REGISTER(PDO#1+0x204, 8, 0x20)', 'WRITE_REGISTER_UCHAR(CH3.CHANCMD @0x204, 0x20 RESET)'],
    ['READ_REGISTER(PDO#1+0x8, 8) = 0x30', 'READ_REGISTER_UCHAR(VER @0x8) = 0x30'],
    ['WRITE_REGISTER(PDO#1+0x3, 8, 0x0)', 'WRITE_REGISTER_UCHAR(INTRCTRL @0x3, 0x00)'],
    ['WRITE_REGISTER(PDO#1+0x3, 8, 0x1)', 'WRITE_REGISTER_UCHAR(INTRCTRL @0x3, 0x01 MASTER_INT_EN)'],
    ['WRITE_REGISTER(PDO#1+0x200, 16, 0x11d)', 'WRITE_REGISTER_USHORT(CH3.CHANCTRL @0x200, 0x11d IN_USE|ERR_INT_EN|ANY_ERR_ABORT_EN|ERR_COMPLETION_EN|INT_REARM)'],
    ['WRITE_REGISTER(PDO#1+0x210, 64, 0x10002000)', 'WRITE_REGISTER_ULONG64(CH3.CHAINADDR @0x210, 0x10002000)'],
    ['WRITE_REGISTER(PDO#1+0x86, 16, 0x3)', 'WRITE_REGISTER_USHORT(CH0.DMACOUNT @0x86, 0x03)'],
    ['READ_REGISTER(PDO#1+0x88, 64) = 0x10002041', 'READ_REGISTER_ULONG64(CH0.CHANSTS @0x88) = 0x10002041 IDLE'],
    ['READ_REGISTER(PDO#1+0xa8, 32) = 0x24', 'READ_REGISTER_ULONG(CH0.CHANERR @0xa8) = 0x24 NEXT_DESC_ADDR|CHANCMD'],
    ['READ_REGISTER(PDO#1+0x8c, 32) = 0x1', 'READ_REGISTER_ULONG(CH0.CHANSTS+4 @0x8c) = 0x01'],
    ['WRITE_REGISTER(PDO#1+0x7c, 32, 0x1)', 'WRITE_REGISTER_ULONG(reserved @0x7c, 0x01)'],
  ])('%s', (raw, shown) => {
    expect(decodeRegisterText(raw)).toBe(shown);
  });

  it('keeps the device when asked, and leaves other text alone', () => {
    expect(decodeRegisterText('WRITE_REGISTER(PDO#2+0x84, 8, 0x2)', true)).toBe('WRITE_REGISTER_UCHAR(PDO#2 CH0.CHANCMD @0x84, 0x02 APPEND)');
    expect(decodeRegisterText('IoCallDriver(PDO#1, IRP_MN_START_DEVICE (IRP#2))')).toBe('IoCallDriver(PDO#1, IRP_MN_START_DEVICE (IRP#2))');
    expect(decodeRegisterText('WRITE_REGISTER(PDO#1+0x84, 8) = 0x2')).toBe('WRITE_REGISTER(PDO#1+0x84, 8) = 0x2');
  });

  it('names every register of every channel block by its own offset', () => {
    for (const [name, r] of Object.entries(GENERAL_REGISTERS)) expect(registerName(r.offset, r.size)).toBe(name);
    for (let ch = 0; ch < 16; ch++) for (const [name, r] of Object.entries(CHANNEL_REGISTERS)) expect(registerName(channelBlockOffset(ch) + r.offset, r.size)).toBe(`CH${ch}.${name}`);
  });

  it('any traced access decodes to the WDK accessor of its width, keeping offset and value', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 0x87f }), fc.constantFrom(8, 16, 32, 64), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (write, off, bits, v) => {
        const raw = write ? `WRITE_REGISTER(PDO#1+0x${off.toString(16)}, ${bits}, 0x${v.toString(16)})` : `READ_REGISTER(PDO#1+0x${off.toString(16)}, ${bits}) = 0x${v.toString(16)}`;
        const shown = decodeRegisterText(raw);
        const accessor = { 8: 'UCHAR', 16: 'USHORT', 32: 'ULONG', 64: 'ULONG64' }[bits]!;
        expect(shown.startsWith(`${write ? 'WRITE' : 'READ'}_REGISTER_${accessor}(`)).toBe(true);
        expect(shown).toContain(`@0x${off.toString(16)}`);
        expect(shown).toContain(`0x${v.toString(16).padStart(2, '0')}`);
      }),
    );
  });

  it('a value with bits but no names stays hex', () => {
    expect(describeRegisterValue('CHAINADDR', 0x40n)).toBe('0x40');
    expect(describeRegisterValue('CHANCMD', 0xc0n)).toBe('0xc0');
    expect(describeRegisterValue('CHANCMD', 0xc1n)).toBe('0xc1 START|0xc0');
  });
});
