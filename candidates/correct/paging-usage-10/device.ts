/**
 * Per-engine (FDO extension) and per-channel state of the paging-usage-10 provider: that of the
 * engine it shares with policy-owner (../blind-engine-d0/device.ts), and its pool tag.
 */
export { MAX_CHANNELS, PnpState, inSpecialPath, type Channel, type Engine } from '../blind-engine-d0/device';

/** Pool tag 'PgDm'. */
export const POOL_TAG = 0x6d44_6750;
