/**
 * The `Interlocked*` routines on a `volatile LONG` (and `LONG64`) box. JavaScript runs one thing at
 * a time, so each is atomic by construction; what they add is the processor's arithmetic: 32-bit
 * (64-bit) two's-complement wrap-around, and a check that the target is a box holding such a value.
 * They are allowed at any IRQL.
 *
 * @module
 */
import type { VOLATILE_LONG, VOLATILE_LONG64 } from '../api/wdm-services';

/** Why `box` is not a `volatile LONG`, or null when it is one. */
export function notLong(box: unknown): string | null {
  if (typeof box !== 'object' || box === null) return 'the target is not a volatile LONG box ({ value: number })';
  const v = (box as { value?: unknown }).value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x8000_0000 || v > 0xffff_ffff) return `the target's value ${String(v)} is not a 32-bit integer`;
  return null;
}

/** Why `box` is not a `volatile LONG64`, or null when it is one. */
export function notLong64(box: unknown): string | null {
  if (typeof box !== 'object' || box === null) return 'the target is not a volatile LONG64 box ({ value: bigint })';
  const v = (box as { value?: unknown }).value;
  if (typeof v !== 'bigint' || v < -(1n << 63n) || v >= 1n << 64n) return `the target's value ${String(v)} is not a 64-bit integer`;
  return null;
}

/** Why `x` is not a LONG operand, or null. */
export function notLongOperand(x: unknown): string | null {
  return typeof x === 'number' && Number.isInteger(x) && x >= -0x8000_0000 && x <= 0xffff_ffff ? null : `the operand ${String(x)} is not a 32-bit integer`;
}

/** Why `x` is not a LONG64 operand, or null. */
export function notLong64Operand(x: unknown): string | null {
  return typeof x === 'bigint' && x >= -(1n << 63n) && x < 1n << 64n ? null : `the operand ${String(x)} is not a 64-bit integer`;
}

const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** The interlocked operations, each returning what its WDK counterpart returns. */
export const Interlocked = {
  increment(a: VOLATILE_LONG): number {
    return (a.value = (a.value + 1) | 0);
  },
  decrement(a: VOLATILE_LONG): number {
    return (a.value = (a.value - 1) | 0);
  },
  exchange(t: VOLATILE_LONG, v: number): number {
    const old = t.value | 0;
    t.value = v | 0;
    return old;
  },
  compareExchange(d: VOLATILE_LONG, exchange: number, comperand: number): number {
    const old = d.value | 0;
    if (old === (comperand | 0)) d.value = exchange | 0;
    return old;
  },
  exchangeAdd(a: VOLATILE_LONG, v: number): number {
    const old = a.value | 0;
    a.value = (old + (v | 0)) | 0;
    return old;
  },
  and(d: VOLATILE_LONG, v: number): number {
    const old = d.value | 0;
    d.value = old & v;
    return old;
  },
  or(d: VOLATILE_LONG, v: number): number {
    const old = d.value | 0;
    d.value = old | v;
    return old;
  },
  increment64(a: VOLATILE_LONG64): bigint {
    return (a.value = s64(a.value + 1n));
  },
  decrement64(a: VOLATILE_LONG64): bigint {
    return (a.value = s64(a.value - 1n));
  },
  exchange64(t: VOLATILE_LONG64, v: bigint): bigint {
    const old = s64(t.value);
    t.value = s64(v);
    return old;
  },
  compareExchange64(d: VOLATILE_LONG64, exchange: bigint, comperand: bigint): bigint {
    const old = s64(d.value);
    if (old === s64(comperand)) d.value = s64(exchange);
    return old;
  },
  exchangeAdd64(a: VOLATILE_LONG64, v: bigint): bigint {
    const old = s64(a.value);
    a.value = s64(old + v);
    return old;
  },
} as const;
