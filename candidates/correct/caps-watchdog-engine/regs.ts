/**
 * Register helpers for the I/OAT-class engine (the data sheet is src/hardware/registers.ts).
 *
 * @module
 */
import { CHANCMD, CHANCTRL, CHANNEL_REGISTERS, GENERAL_REGISTERS, REGISTER_BLOCK_SIZE, type KernelServices } from '../../../src/candidate-api';

/** Address of channel `i`'s register `reg`. */
export function chanReg(base: bigint, i: number, reg: keyof typeof CHANNEL_REGISTERS): bigint {
  return base + BigInt(REGISTER_BLOCK_SIZE * (i + 1) + CHANNEL_REGISTERS[reg].offset);
}

/** Address of the general register `reg`. */
export function genReg(base: bigint, reg: keyof typeof GENERAL_REGISTERS): bigint {
  return base + BigInt(GENERAL_REGISTERS[reg].offset);
}

/** Resets channel `i` and waits, bounded, for RESET to self-clear. */
export function resetChannel(k: KernelServices, base: bigint, i: number): boolean {
  const cmd = chanReg(base, i, 'CHANCMD');
  k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
  for (let n = 0; n < 1000; n++) {
    if ((k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) === 0) return true;
    k.KeStallExecutionProcessor(1);
  }
  return false;
}

/** CHANCTRL while a channel runs (Linux's 0x011D: in use, error interrupt/abort/completion, re-armed). */
export const RUN_CTRL = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;
