/**
 * Per-engine and per-channel state of the v11-linked provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'VL11'. */
export const POOL_TAG = 0x3131_4c56;
