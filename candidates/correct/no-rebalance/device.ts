/**
 * Per-engine and per-channel state of the no-rebalance provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'NoRb'. */
export const POOL_TAG = 0x6252_6f4e;
