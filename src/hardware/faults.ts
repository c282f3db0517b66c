/**
 * Fault injection for the simulated engine: force a CHANERR error on a chosen descriptor,
 * lose a descriptor's interrupt, stall a channel, or make a channel RESET hang.
 *
 * Descriptors are selected by channel and *fetch ordinal*: the channel's count of descriptor
 * fetches since the engine was constructed, from 0. Ordinals are never reset (neither by
 * CHANCMD RESET nor by `IoatEngine.resetFunction`), so "the 5th descriptor channel 1 ever
 * fetched" is stable however the driver restarts the channel. A predicate can select by
 * address or content instead.
 *
 * @module
 */
import type { NetDmaDescriptor } from './hw';
import { CHANERR } from './registers';

/** Faults that force a CHANERR error on one descriptor, with the bit they set. */
export const DESCRIPTOR_FAULT_CHANERR = {
  'source-address': CHANERR.SRC_ADDR,
  'destination-address': CHANERR.DEST_ADDR,
  'next-descriptor-address': CHANERR.NEXT_DESC_ADDR,
  'next-descriptor-alignment': CHANERR.NEXT_DESC_ALIGN,
  'read-data': CHANERR.READ_DATA,
  'write-data': CHANERR.WRITE_DATA,
  'descriptor-control': CHANERR.DESC_CONTROL,
  length: CHANERR.LENGTH,
  'completion-address': CHANERR.COMPLETION_ADDR,
} as const;

/**
 * A forced descriptor error. Each is applied at the point where the engine makes the
 * corresponding check, whatever the descriptor holds:
 * `next-descriptor-*` when the descriptor address is resolved (before the fetch);
 * `descriptor-control`, `length`, `source-address`, `destination-address`, `read-data`,
 * `write-data` after the fetch, in that order, before any byte is written;
 * `completion-address` after the data has been copied, instead of the completion write.
 */
export type DescriptorFaultKind = keyof typeof DESCRIPTOR_FAULT_CHANERR;

/** What a fault predicate sees. `descriptor` is absent for faults checked before the fetch. */
export interface FaultContext {
  readonly channel: number;
  /** Fetch ordinal of the descriptor on its channel (see the module comment). */
  readonly ordinal: number;
  readonly descriptorPa: bigint;
  readonly descriptor?: NetDmaDescriptor;
}

/** Selects descriptors: by exact ordinal, by predicate, or both (both must match). */
export interface DescriptorSelector {
  readonly channel: number;
  readonly ordinal?: number;
  readonly when?: (ctx: FaultContext) => boolean;
}

/** One rule of a {@link FaultPlan}. */
export type FaultRule =
  /** Force a CHANERR error on the selected descriptor(s). */
  | ({ readonly kind: DescriptorFaultKind } & DescriptorSelector)
  /**
   * The interrupt requested by the selected descriptor is lost: the engine clears INT_REARM
   * and sets the ATTNSTATUS bit as if it had raised it, but `raiseInterrupt` is not called.
   * If the interrupt could not fire (not armed), the request is dropped instead of pending.
   */
  | ({ readonly kind: 'lost-interrupt' } & DescriptorSelector)
  /**
   * The channel makes no progress while this rule is in the plan and the channel has fetched
   * at least `fromOrdinal` descriptors (default 0): `runnableChannels` omits it and `step`
   * does nothing. Clear it with `setFaults`.
   */
  | { readonly kind: 'stall'; readonly channel: number; readonly fromOrdinal?: number }
  /**
   * A RESET of the channel does not complete while this rule is in the plan: CHANCMD reads
   * 0x20, the channel does nothing and ignores other commands. The reset completes when
   * `setFaults` installs a plan without the rule.
   */
  | { readonly kind: 'reset-hang'; readonly channel: number };

/** A set of fault rules; the engine consults the current plan at every check. */
export interface FaultPlan {
  readonly rules: readonly FaultRule[];
}

/** The plan without faults. */
export const NO_FAULTS: FaultPlan = Object.freeze({ rules: Object.freeze([]) });

/** Builds a plan from rules. */
export function faultPlan(...rules: FaultRule[]): FaultPlan {
  return { rules };
}

function selects(rule: DescriptorSelector, ctx: FaultContext): boolean {
  if (rule.channel !== ctx.channel) return false;
  if (rule.ordinal !== undefined && rule.ordinal !== ctx.ordinal) return false;
  if (rule.when !== undefined && !rule.when(ctx)) return false;
  return true;
}

/** True when `plan` forces error `kind` for the descriptor described by `ctx`. */
export function forcesError(plan: FaultPlan, kind: DescriptorFaultKind, ctx: FaultContext): boolean {
  // Loops rather than `some(closure)`: these run at every engine step.
  for (const r of plan.rules) if (r.kind === kind && selects(r, ctx)) return true;
  return false;
}

/** True when `plan` loses the interrupt of the descriptor described by `ctx`. */
export function losesInterrupt(plan: FaultPlan, ctx: FaultContext): boolean {
  for (const r of plan.rules) if (r.kind === 'lost-interrupt' && selects(r, ctx)) return true;
  return false;
}

/** True when `plan` stalls `channel`, given how many descriptors it has fetched. */
export function isStalled(plan: FaultPlan, channel: number, fetched: number): boolean {
  for (const r of plan.rules) if (r.kind === 'stall' && r.channel === channel && fetched >= (r.fromOrdinal ?? 0)) return true;
  return false;
}

/** True when `plan` makes resets of `channel` hang. */
export function resetHangs(plan: FaultPlan, channel: number): boolean {
  for (const r of plan.rules) if (r.kind === 'reset-hang' && r.channel === channel) return true;
  return false;
}
