import { CHANCMD, CHANCTRL, CHANNEL_REGISTERS, CHANSTS_STATE_MASK, REGISTER_BLOCK_SIZE, type KernelServices } from '../candidate-api';

/** Register address of channel `i`'s register `reg`. */
export function channelRegister(base: bigint, i: number, reg: keyof typeof CHANNEL_REGISTERS): bigint {
  return base + BigInt(REGISTER_BLOCK_SIZE * (i + 1) + CHANNEL_REGISTERS[reg].offset);
}

/**
 * Waits (bounded) until channel `i`'s CHANSTS state is one of `states` (NetDmaTransferStatus*
 * codes): a SUSPEND or ABORT takes effect after the descriptor in flight, not at the write
 * (docs/engine.md, *Command timing*). Returns false when it did not happen within the bound.
 */
export function waitChannelState(k: KernelServices, base: bigint, i: number, states: readonly number[]): boolean {
  const sts = channelRegister(base, i, 'CHANSTS');
  for (let n = 0; n < 1000; n++) {
    if (states.includes(Number(k.READ_REGISTER_ULONG64(sts) & CHANSTS_STATE_MASK))) return true;
    k.KeStallExecutionProcessor(1);
  }
  return false;
}

/** Resets channel `i` and waits (bounded) for RESET to self-clear. */
export function resetChannel(k: KernelServices, base: bigint, i: number): boolean {
  const cmd = channelRegister(base, i, 'CHANCMD');
  k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
  for (let n = 0; n < 1000; n++) {
    if ((k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) === 0) return true;
    k.KeStallExecutionProcessor(1);
  }
  return false;
}

/** The CHANCTRL value the provider runs channels with (Linux's 0x011D). */
export const RUN_CHANNEL_CTRL = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;
