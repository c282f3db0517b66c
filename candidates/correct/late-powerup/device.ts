/**
 * Per-engine and per-channel state of the late-powerup provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'LtPu'. */
export const POOL_TAG = 0x7550_744c;
