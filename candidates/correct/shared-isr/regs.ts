import { CHANCMD, CHANCTRL, CHANNEL_REGISTERS, CHANSTS_STATE_MASK, GENERAL_REGISTERS, REGISTER_BLOCK_SIZE, type KernelServices } from '../../../src/candidate-api';

/** Address of channel `ch`'s register `name`. */
export const chReg = (bar: bigint, ch: number, name: keyof typeof CHANNEL_REGISTERS): bigint =>
  bar + BigInt(REGISTER_BLOCK_SIZE * (ch + 1) + CHANNEL_REGISTERS[name].offset);
/** Address of general register `name`. */
export const genReg = (bar: bigint, name: keyof typeof GENERAL_REGISTERS): bigint => bar + BigInt(GENERAL_REGISTERS[name].offset);

/** CHANCTRL of a running channel (Linux's 0x011D): errors interrupt, halt and write a HALTED completion; interrupt armed. */
export const CTRL_RUN = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

/** CHANSTS state codes (bits 2:0). */
export const ST_ACTIVE = 0;
export const ST_IDLE = 1;
export const ST_SUSPENDED = 2;
export const ST_HALTED = 3;
export const ST_ARMED = 4;

/** Poll bound: 5000 polls 2 us apart, 10 ms (silicon finishes a descriptor of 1 MiB well within it). */
const POLLS = 5000;
const POLL_US = 2;

/** CHANSTS as one 64-bit read (the low half latches the high half on silicon). */
export function readChansts(k: KernelServices, bar: bigint, ch: number): bigint {
  return k.READ_REGISTER_ULONG64(chReg(bar, ch, 'CHANSTS'));
}
export function stateOf(sts: bigint): number {
  return Number(sts & CHANSTS_STATE_MASK);
}

/** Polls (bounded) until the channel's state is one of `states`; returns the last CHANSTS or null on timeout. */
export function pollState(k: KernelServices, bar: bigint, ch: number, states: readonly number[]): bigint | null {
  for (let n = 0; n < POLLS; n++) {
    const sts = readChansts(k, bar, ch);
    if (states.includes(stateOf(sts))) return sts;
    k.KeStallExecutionProcessor(POLL_US);
  }
  return null;
}

/** Writes RESET and polls (bounded) until the bit self-clears; then clears any latched CHANERR bits. */
export function resetChannel(k: KernelServices, bar: bigint, ch: number): boolean {
  const cmd = chReg(bar, ch, 'CHANCMD');
  k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
  for (let n = 0; n < POLLS; n++) {
    if ((k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) === 0) {
      const err = k.READ_REGISTER_ULONG(chReg(bar, ch, 'CHANERR'));
      if (err !== 0) k.WRITE_REGISTER_ULONG(chReg(bar, ch, 'CHANERR'), err); // write 1 to clear
      return true;
    }
    k.KeStallExecutionProcessor(POLL_US);
  }
  return false;
}

/** Lowest set bit of a 64-bit mask, or -1. */
export function lowestCpu(mask: bigint): number {
  for (let i = 0; i < 64; i++) if (((mask >> BigInt(i)) & 1n) === 1n) return i;
  return -1;
}
