/**
 * Per-engine and per-channel state of the notify-registered provider: the shared engine's
 * (../blind-engine) and its pool tag.
 */
export { MAX_CHANNELS, PnpState, type Channel, type Engine } from '../blind-engine/device';

/** Pool tag 'NtRg'. */
export const POOL_TAG = 0x6752_744e;
