/**
 * Per-engine and per-channel state of the busy-veto-caps provider: the shared engine's
 * (../blind-engine), its pool tag, and what its design adds.
 */
import type { Engine as SharedEngine, PnpState } from '../blind-engine/device';
export { MAX_CHANNELS, PnpState, type Channel } from '../blind-engine/device';

/** Pool tag 'BvVc'. */
export const POOL_TAG = 0x6356_7642;

/** The shared engine state, and what this design adds. */
export interface Engine extends SharedEngine {
  /** State recorded at QUERY_STOP / QUERY_REMOVE, restored by the CANCEL. */
  previous: PnpState;
  /** Status the bus driver gave the last IRP_MN_QUERY_CAPABILITIES. */
  capabilitiesStatus: number;
}
