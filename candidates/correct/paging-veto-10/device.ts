/**
 * Per-engine and per-channel state of the paging-veto-10 provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'PgV0'. */
export const POOL_TAG = 0x3056_6750;
