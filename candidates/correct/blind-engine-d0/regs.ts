import { CHANCMD, CHANCTRL, CHANNEL_REGISTERS, GENERAL_REGISTERS, REGISTER_BLOCK_SIZE, type KernelServices } from '../../../src/candidate-api';

export const reg = (bar: bigint, ch: number, name: keyof typeof CHANNEL_REGISTERS): bigint =>
  bar + BigInt(REGISTER_BLOCK_SIZE * (ch + 1) + CHANNEL_REGISTERS[name].offset);
export const greg = (bar: bigint, name: keyof typeof GENERAL_REGISTERS): bigint => bar + BigInt(GENERAL_REGISTERS[name].offset);

/** CHANCTRL for a running channel. */
export const CTRL_RUN = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

/** RESET a channel and poll (bounded) until the bit self-clears. */
export function hwResetChannel(k: KernelServices, bar: bigint, ch: number): boolean {
  const cmd = reg(bar, ch, 'CHANCMD');
  k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
  for (let spin = 0; spin < 2000; spin++) {
    if ((k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) === 0) return true;
    k.KeStallExecutionProcessor(2);
  }
  return false;
}
