/**
 * Per-engine and per-channel state of the surprise-teardown provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'StTd'. */
export const POOL_TAG = 0x6454_7453;
