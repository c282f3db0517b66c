/**
 * Register names for people: the kernel traces a register access by BAR0 offset
 * (`WRITE_REGISTER(PDO#1+0x184, 8, 0x1)`); at print time this module names the register and the
 * access width the way the WDK and the engine's datasheet do
 * (`WRITE_REGISTER_UCHAR(CH2.CHANCMD @0x184, 0x01 START)`). Decoding happens here, in the report
 * layer, so the kernel's trace stays cheap and the reports keep the raw text.
 *
 * @module
 */
import { CHANCMD, CHANCTRL, CHANERR, INTRCTRL, MAX_CHANNELS, locateRegister } from '../hardware/registers';

/** WDK accessor suffix of an access width in bits. */
const SUFFIX: Readonly<Record<number, string>> = { 8: 'UCHAR', 16: 'USHORT', 32: 'ULONG', 64: 'ULONG64' };

const TRACE_RE = /^(READ|WRITE)_REGISTER\(([^+()]+)\+0x([0-9a-fA-F]+), (8|16|32|64)(?:, 0x([0-9a-fA-F]+))?\)(?: = 0x([0-9a-fA-F]+))?$/;

/** Names of the bits set in `value`, in the order of `bits`; bits with no name stay as hex. */
function bitNames(value: bigint, bits: Readonly<Record<string, number>>): string {
  const names: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(bits)) {
    const b = BigInt(bit);
    if ((value & b) !== 0n) {
      names.push(name);
      rest &= ~b;
    }
  }
  // Unnamed bits are shown only beside named ones (the value itself is printed in hex anyway).
  if (rest !== 0n && names.length > 0) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

/** CHANSTS state field (bits 2:0). */
const CHANSTS_STATES = ['ACTIVE', 'IDLE', 'SUSPENDED', 'HALTED', 'ARMED'] as const;

/** A register's value with its bit names when the register has named bits (`0x01 START`). */
export function describeRegisterValue(register: string, value: bigint): string {
  const hex = `0x${value.toString(16).padStart(2, '0')}`;
  if (value === 0n) return hex;
  let named = '';
  switch (register) {
    case 'CHANCMD':
      named = bitNames(value, CHANCMD);
      break;
    case 'CHANCTRL':
      named = bitNames(value, CHANCTRL);
      break;
    case 'CHANERR':
    case 'CHANERR_MASK':
      named = bitNames(value, CHANERR);
      break;
    case 'INTRCTRL':
      named = bitNames(value, INTRCTRL);
      break;
    case 'CHANSTS':
      named = CHANSTS_STATES[Number(value & 0x7n)] ?? '';
      break;
    default:
      return hex;
  }
  return named ? `${hex} ${named}` : hex;
}

/**
 * The name of the register at BAR0 `offset` for an access of `bytes` bytes: `INTRCTRL`,
 * `CH2.CHANCMD` (channels counted from 0, as the engine's own trace lines say `ch2`), with `+4`
 * for an access inside a wider register, or `undefined` for a reserved or straddling offset.
 */
export function registerName(offset: number, bytes: number): string | undefined {
  const loc = locateRegister(offset, bytes, MAX_CHANNELS);
  if (loc === undefined || loc.block === 'reserved') return undefined;
  const inner = loc.byteOffset ? `+${loc.byteOffset}` : '';
  return loc.block === 'general' ? `${loc.name}${inner}` : `CH${loc.channel}.${loc.name}${inner}`;
}

/**
 * Rewrites a register trace line with the register's name, the WDK accessor and named bits:
 * `WRITE_REGISTER(PDO#1+0x184, 8, 0x1)` becomes `WRITE_REGISTER_UCHAR(CH2.CHANCMD @0x184, 0x01 START)`,
 * `READ_REGISTER(PDO#1+0x8, 8) = 0x30` becomes `READ_REGISTER_UCHAR(VER @0x8) = 0x30`. Any other
 * text is returned unchanged. The device name is dropped when `keepDevice` is false (one engine).
 */
export function decodeRegisterText(text: string, keepDevice = false): string {
  const m = TRACE_RE.exec(text);
  if (!m) return text;
  const [, op, device, offHex, bits, written, read] = m as unknown as [string, 'READ' | 'WRITE', string, string, string, string | undefined, string | undefined];
  if ((op === 'WRITE') !== (written !== undefined) || (op === 'READ') !== (read !== undefined)) return text;
  const offset = parseInt(offHex, 16);
  const name = registerName(offset, Number(bits) / 8);
  const where = `${keepDevice ? `${device} ` : ''}${name ?? 'reserved'} @0x${offHex}`;
  const reg = name !== undefined && !name.includes('+') ? name.replace(/^CH\d+\./, '') : '';
  const accessor = `${op}_REGISTER_${SUFFIX[Number(bits)]}`;
  return op === 'WRITE'
    ? `${accessor}(${where}, ${describeRegisterValue(reg, BigInt(`0x${written}`))})`
    : `${accessor}(${where}) = ${describeRegisterValue(reg, BigInt(`0x${read}`))}`;
}
