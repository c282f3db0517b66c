/**
 * Per-engine and per-channel state of the stop-always provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'StAl'. */
export const POOL_TAG = 0x6c41_7453;
