/**
 * Per-engine (FDO extension) and per-channel state of the policy-owner provider: that of the engine
 * it shares with paging-usage-10 (../blind-engine-d0/device.ts), its pool tag, and the power state
 * this provider's design adds.
 */
import type { IO_WORKITEM, NET_DMA_PNP_EVENT_NOTIFY } from '../../../src/candidate-api';
import type { Engine as SharedEngine } from '../blind-engine-d0/device';
export { MAX_CHANNELS, PnpState, inSpecialPath, type Channel } from '../blind-engine-d0/device';

/** Pool tag 'PoDm'. */
export const POOL_TAG = 0x6d44_6f50;

/** The shared engine state, and what this design adds. */
export interface Engine extends SharedEngine {
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  /** Announces PowerDown at PASSIVE_LEVEL when a Dx IRP arrives above PASSIVE_LEVEL. */
  readonly downItem: IO_WORKITEM;
  /** NetDmaNotificationProviderPowerDown was sent and PowerUp not yet. */
  announcedDown: boolean;
}
