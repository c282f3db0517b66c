import { assertNever } from '../../util/assert-never';

/** How the bus driver (or another driver in the stack) answers an IRP. */
export type BusAnswer = 'succeed' | 'fail' | 'pend';

/**
 * What the PnP and power managers can do to a device: the IRPs of F101 plus a device power
 * change and one IRP the provider does not handle. A tagged union dispatched exhaustively.
 */
export type LifecycleEvent =
  | { readonly type: 'START'; readonly bus: BusAnswer }
  | { readonly type: 'QUERY_STOP'; readonly bus: 'succeed' | 'fail' }
  | { readonly type: 'STOP' }
  | { readonly type: 'CANCEL_STOP' }
  | { readonly type: 'QUERY_REMOVE'; readonly bus: 'succeed' | 'fail' }
  | { readonly type: 'CANCEL_REMOVE' }
  | { readonly type: 'REMOVE' }
  | { readonly type: 'SURPRISE_REMOVAL' }
  | { readonly type: 'FILTER_RESOURCE_REQUIREMENTS' }
  | { readonly type: 'SET_POWER'; readonly to: 'D0' | 'D3' }
  | { readonly type: 'QUERY_CAPABILITIES' }
  /**
   * A system power transition: IRP_MN_QUERY_POWER for `to` (none for S5, which cannot be vetoed),
   * then IRP_MN_SET_POWER for `to` with the device's D3 IRP, and — but for S5, the last step of a
   * run — the return to S0 with the device's D0 IRP. `bus`: how the lower drivers answer the system
   * IRPs (a refused query cancels the transition: Windows sends IRP_MN_SET_POWER for S0).
   */
  | { readonly type: 'SYSTEM_POWER'; readonly to: SystemSleepState; readonly bus: BusAnswer };

/** The system power states a run sends the system to: sleep (S1, S3), hibernate (S4), shutdown (S5). */
export type SystemSleepState = 'S1' | 'S3' | 'S4' | 'S5';

/** The event kinds. */
export type LifecycleEventType = LifecycleEvent['type'];

/** Every event kind, in a stable order. */
export const EVENT_TYPES: readonly LifecycleEventType[] = [
  'START',
  'QUERY_STOP',
  'STOP',
  'CANCEL_STOP',
  'QUERY_REMOVE',
  'CANCEL_REMOVE',
  'REMOVE',
  'SURPRISE_REMOVAL',
  'FILTER_RESOURCE_REQUIREMENTS',
  'SET_POWER',
  'QUERY_CAPABILITIES',
  'SYSTEM_POWER',
];

function bus(b: BusAnswer): string {
  return b === 'succeed' ? '' : b === 'fail' ? ' (bus fails)' : ' (bus pends)';
}

/** A short label, e.g. `IRP_MN_START_DEVICE (bus fails)` or `IRP_MN_SET_POWER(D3)`. */
export function eventLabel(e: LifecycleEvent): string {
  switch (e.type) {
    case 'START':
      return `IRP_MN_START_DEVICE${bus(e.bus)}`;
    case 'QUERY_STOP':
      return `IRP_MN_QUERY_STOP_DEVICE${bus(e.bus)}`;
    case 'QUERY_REMOVE':
      return `IRP_MN_QUERY_REMOVE_DEVICE${bus(e.bus)}`;
    case 'STOP':
      return 'IRP_MN_STOP_DEVICE';
    case 'CANCEL_STOP':
      return 'IRP_MN_CANCEL_STOP_DEVICE';
    case 'CANCEL_REMOVE':
      return 'IRP_MN_CANCEL_REMOVE_DEVICE';
    case 'REMOVE':
      return 'IRP_MN_REMOVE_DEVICE';
    case 'SURPRISE_REMOVAL':
      return 'IRP_MN_SURPRISE_REMOVAL';
    case 'FILTER_RESOURCE_REQUIREMENTS':
      return 'IRP_MN_FILTER_RESOURCE_REQUIREMENTS';
    case 'SET_POWER':
      return `IRP_MN_SET_POWER(${e.to})`;
    case 'QUERY_CAPABILITIES':
      return 'IRP_MN_QUERY_CAPABILITIES';
    case 'SYSTEM_POWER':
      return `system power ${e.to === 'S5' ? 'S5 (shutdown)' : e.to === 'S4' ? 'S4 (hibernate) and back to S0' : `${e.to} (sleep) and back to S0`}${bus(e.bus)}`;
    default:
      return assertNever(e);
  }
}
