/**
 * Register access helpers for the I/OAT-class engine (IOAT-ENGINE.md, src/hardware/registers.ts),
 * and the bounded polls every channel command is followed by.
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  GENERAL_REGISTERS,
  NetDmaTransferStatusActive,
  NetDmaTransferStatusHalted,
  NetDmaTransferStatusIdle,
  NetDmaTransferStatusSuspend,
  REGISTER_BLOCK_SIZE,
  type KernelServices,
} from '../../../src/candidate-api';

export const chreg = (bar: bigint, ch: number, name: keyof typeof CHANNEL_REGISTERS): bigint =>
  bar + BigInt(REGISTER_BLOCK_SIZE * (ch + 1) + CHANNEL_REGISTERS[name].offset);
export const greg = (bar: bigint, name: keyof typeof GENERAL_REGISTERS): bigint => bar + BigInt(GENERAL_REGISTERS[name].offset);

/** CHANCTRL of a channel in use (Linux writes 0x011D): errors interrupt, halt and report, interrupt armed. */
export const CTRL_RUN = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

/** Polls: iterations and microseconds stalled between two reads (10 ms for a command, 20 ms for a reset). */
export const POLL_STEP_US = 5;
export const POLL_COMMAND_TRIES = 2000;
export const POLL_RESET_TRIES = 4000;

/** CHANSTS states (bits 2:0; equal to the NetDmaTransferStatus codes). */
export const ST_ACTIVE = NetDmaTransferStatusActive;
export const ST_IDLE = NetDmaTransferStatusIdle;
export const ST_SUSPENDED = NetDmaTransferStatusSuspend;
export const ST_HALTED = NetDmaTransferStatusHalted;

const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn;

/** How 64-bit registers are written: whole (one 64-bit access) or as two 32-bit halves, low then high. */
export type Write64 = (k: KernelServices, register: bigint, value: bigint) => void;
export const write64Whole: Write64 = (k, register, value) => k.WRITE_REGISTER_ULONG64(register, BigInt.asUintN(64, value));
export const write64Halves: Write64 = (k, register, value) => {
  const v = BigInt.asUintN(64, value);
  k.WRITE_REGISTER_ULONG(register, Number(v & 0xffff_ffffn));
  k.WRITE_REGISTER_ULONG(register + 4n, Number(v >> 32n));
};

/** A channel's CHANSTS, read whole (one access: no torn halves against a concurrent ISR). */
export interface ChanSts {
  readonly raw: bigint;
  readonly state: number;
  readonly last: bigint;
  /** All ones: the device no longer answers (surprise removal). */
  readonly gone: boolean;
}
export function readChanSts(k: KernelServices, bar: bigint, ch: number): ChanSts {
  const raw = k.READ_REGISTER_ULONG64(chreg(bar, ch, 'CHANSTS'));
  return { raw, state: Number(raw & CHANSTS_STATE_MASK), last: raw & CHANSTS_ADDRESS_MASK, gone: raw === ALL_ONES_64 };
}
export function readChanErr(k: KernelServices, bar: bigint, ch: number): number {
  return k.READ_REGISTER_ULONG(chreg(bar, ch, 'CHANERR')) >>> 0;
}

/** Reads CHANSTS until `done` holds, stalling between reads; false when the bound runs out or the device is gone. */
export function pollChanSts(k: KernelServices, bar: bigint, ch: number, done: (s: ChanSts) => boolean, tries = POLL_COMMAND_TRIES): boolean {
  for (let n = 0; n < tries; n++) {
    const s = readChanSts(k, bar, ch);
    if (s.gone) return false;
    if (done(s)) return true;
    k.KeStallExecutionProcessor(POLL_STEP_US);
  }
  return false;
}

/** Writes one CHANCMD command. */
export function command(k: KernelServices, bar: bigint, ch: number, cmd: number): void {
  k.WRITE_REGISTER_UCHAR(chreg(bar, ch, 'CHANCMD'), cmd);
}

/** RESET, then poll (bounded) until the bit self-clears; clears any CHANERR bits left (write 1 to clear). */
export function resetChannelHw(k: KernelServices, bar: bigint, ch: number): boolean {
  const cmd = chreg(bar, ch, 'CHANCMD');
  k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
  let done = false;
  for (let n = 0; n < POLL_RESET_TRIES; n++) {
    const v = k.READ_REGISTER_UCHAR(cmd);
    if (v === 0xff) return false; // the device no longer answers
    if ((v & CHANCMD.RESET) === 0) {
      done = true;
      break;
    }
    k.KeStallExecutionProcessor(POLL_STEP_US);
  }
  if (!done) return false;
  const err = readChanErr(k, bar, ch);
  if (err !== 0 && err !== 0xffff_ffff) k.WRITE_REGISTER_ULONG(chreg(bar, ch, 'CHANERR'), err);
  return true;
}

/**
 * ABORT a channel that is running, idle or suspended, and poll until it is HALTED (the engine then
 * writes the Halted completion word, ERR_COMPLETION_EN). A channel that is armed (never started) or
 * already halted has nothing to abort: no command. False when the abort did not take effect in time.
 */
export function abortChannelHw(k: KernelServices, bar: bigint, ch: number): boolean {
  const s = readChanSts(k, bar, ch);
  if (s.gone) return false;
  if (s.state !== ST_ACTIVE && s.state !== ST_IDLE && s.state !== ST_SUSPENDED) return true;
  command(k, bar, ch, CHANCMD.ABORT);
  return pollChanSts(k, bar, ch, (x) => x.state === ST_HALTED);
}
