/**
 * The per-channel software state the reference's ISR, DPC and channel handlers share (kept in the
 * channel context, see device-extension.ts; its bits and helpers are in interrupts.ts).
 *
 * @module
 */

/** Per-channel software state the ISR, the DPC and the handlers share. */
export interface SoftState {
  /** SOFT_* bits. The ISR sets SOFT_ERROR at DIRQL; others update it only atomically. */
  flags: number;
  /** The descriptor the previous interrupt reported. */
  previousIsr: bigint;
  /** Head of the last Start/Append. */
  lastSubmitted: bigint;
}
