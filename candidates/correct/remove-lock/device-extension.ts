/**
 * The device extension of the remove-lock provider: the reference's (src/reference/device-extension.ts,
 * which it copied unchanged), its own pool tag, and the fields its design adds.
 */
import type {
  IO_REMOVE_LOCK,
  KEVENT,
  VOLATILE_LONG,
} from '../../../src/candidate-api';
import type { ChannelContext as ReferenceChannelContext, FdoExtension as ReferenceFdoExtension } from '../../../src/reference/device-extension';
export { REFERENCE_MAX_CHANNELS } from '../../../src/reference/device-extension';

/** Pool tag 'RmLk' (little-endian, as `!poolused` shows it). */
export const REFERENCE_TAG = 0x6b4c_6d52;

/** One hardware channel as the provider tracks it: the reference's, its FDO typed as this provider's. */
export interface ChannelContext extends Omit<ReferenceChannelContext, 'fdo'> {
  readonly fdo: FdoExtension;
}

/** The FDO's device extension: the reference's, and what this provider's design adds. */
export interface FdoExtension extends Omit<ReferenceFdoExtension, 'channels'> {
  /** Allocated channels by index. */
  channels: (ChannelContext | null)[];
  // ---- remove lock and outstanding-request count (this provider's design) ----
  /** IO_REMOVE_LOCK, initialised in AddDevice; held by every dispatch routine, channel handler and DPC while it works. */
  readonly removeLock: IO_REMOVE_LOCK;
  /** Outstanding requests plus a bias of 1 (handling-an-irp-mn-query-stop-device-request): QUERY_STOP drains it. */
  readonly ioCount: VOLATILE_LONG;
  /** Signaled when ioCount reaches 0 (the bias dropped by QUERY_STOP and nothing outstanding). */
  readonly ioDrained: KEVENT;
  /** QUERY_STOP succeeded, no STOP/CANCEL_STOP yet. */
  stopPending: boolean;
  /** QUERY_REMOVE succeeded, no REMOVE/CANCEL_REMOVE yet: new creates fail. */
  removePending: boolean;
  /** SURPRISE_REMOVAL handled: REMOVE only does what is left. */
  surpriseRemoved: boolean;
  /** REMOVE has begun: new requests fail with STATUS_DELETE_PENDING. */
  removing: boolean;
}
