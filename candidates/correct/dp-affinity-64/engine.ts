/** Register access for dp-affinity-64: BAR0 offsets from the candidate API's register map. */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  GENERAL_REGISTERS,
  INTRCTRL,
  REGISTER_BLOCK_SIZE,
  type KernelServices,
} from '../../../src/candidate-api';
import type { Channel, Engine } from './ext';

export const reg = (bar: bigint, ch: number, r: keyof typeof CHANNEL_REGISTERS): bigint =>
  bar + BigInt(REGISTER_BLOCK_SIZE * (ch + 1) + CHANNEL_REGISTERS[r].offset);
export const greg = (bar: bigint, r: keyof typeof GENERAL_REGISTERS): bigint => bar + BigInt(GENERAL_REGISTERS[r].offset);

/** CHANCTRL while a channel is in use: errors interrupt, abort and write HALTED; interrupt armed. */
export const CTRL_RUN =
  CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

/** Every address register is written as one 64-bit value: the engine's address registers are 64 bits wide. */
export function write64(k: KernelServices, at: bigint, v: bigint): void {
  k.WRITE_REGISTER_ULONG64(at, BigInt.asUintN(64, v));
}

/** CHANCMD RESET, then poll (bounded) until the bit self-clears. */
export function hwReset(k: KernelServices, bar: bigint, i: number): boolean {
  const at = reg(bar, i, 'CHANCMD');
  k.WRITE_REGISTER_UCHAR(at, CHANCMD.RESET);
  for (let n = 0; n < 2000; n++) {
    if ((k.READ_REGISTER_UCHAR(at) & CHANCMD.RESET) === 0) return true;
    k.KeStallExecutionProcessor(2);
  }
  return false;
}

/** Programs an allocated channel: run bits and the completion write-back address. */
export function program(k: KernelServices, ch: Channel): void {
  const bar = ch.dev.bar!;
  k.WRITE_REGISTER_USHORT(reg(bar, ch.index, 'CHANCTRL'), CTRL_RUN);
  write64(k, reg(bar, ch.index, 'CHANCMP'), ch.completionPa);
}

export function command(k: KernelServices, ch: Channel, c: number): void {
  k.WRITE_REGISTER_UCHAR(reg(ch.dev.bar!, ch.index, 'CHANCMD'), c);
}

/** After a power loss: every channel reset, allocated ones re-programmed, interrupts on again. */
export function restoreContext(k: KernelServices, e: Engine): void {
  const bar = e.bar;
  if (bar === null) return;
  for (let i = 0; i < e.channelCount; i++) hwReset(k, bar, i);
  for (const ch of e.slots) {
    if (!ch) continue;
    ch.count = 0;
    program(k, ch);
  }
  k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
}
