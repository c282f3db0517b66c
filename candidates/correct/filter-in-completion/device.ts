/**
 * Per-engine and per-channel state of the filter-in-completion provider: the shared engine's
 * (../blind-engine), its pool tag, and what its design adds.
 */
import type { Engine as SharedEngine } from '../blind-engine/device';
import type { IO_WORKITEM } from '../../../src/candidate-api';
export { MAX_CHANNELS, PnpState, type Channel } from '../blind-engine/device';

/** Pool tag 'FFiC'. */
export const POOL_TAG = 0x4369_4646;

/** The shared engine state, and what this design adds. */
export interface Engine extends SharedEngine {
  /** Finishes IRP_MN_FILTER_RESOURCE_REQUIREMENTS at PASSIVE_LEVEL when it completes above it. */
  readonly filterItem: IO_WORKITEM;
}
