/** Interrupt request level. */
export type KIRQL = number;
/** Threads run here; the only level where a driver may wait or touch paged memory. */
export const PASSIVE_LEVEL = 0;
/** Asynchronous procedure calls. */
export const APC_LEVEL = 1;
/** DPCs and code holding an executive spin lock. */
export const DISPATCH_LEVEL = 2;
/** The lowest device IRQL; an ISR runs at its interrupt's DIRQL, at or above this. */
export const DEVICE_LEVEL_BASE = 3;
/** The DIRQL the simulated machine assigns to MSI-X and line interrupts. */
export const SIMULATED_DIRQL = 5;
/** The highest level. */
export const HIGH_LEVEL = 15;

/** `PASSIVE_LEVEL`, `DISPATCH_LEVEL`, `DIRQL(5)` ... */
export function irqlName(irql: KIRQL): string {
  if (irql === PASSIVE_LEVEL) return 'PASSIVE_LEVEL';
  if (irql === APC_LEVEL) return 'APC_LEVEL';
  if (irql === DISPATCH_LEVEL) return 'DISPATCH_LEVEL';
  if (irql === HIGH_LEVEL) return 'HIGH_LEVEL';
  return `DIRQL(${irql})`;
}
