import { match } from 'ts-pattern';

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
  | { readonly type: 'QUERY_CAPABILITIES' };

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
];

/** A short label, e.g. `IRP_MN_START_DEVICE (bus fails)` or `IRP_MN_SET_POWER(D3)`. */
export function eventLabel(e: LifecycleEvent): string {
  const bus = (b: BusAnswer) => (b === 'succeed' ? '' : b === 'fail' ? ' (bus fails)' : ' (bus pends)');
  return match(e)
    .with({ type: 'START' }, (x) => `IRP_MN_START_DEVICE${bus(x.bus)}`)
    .with({ type: 'QUERY_STOP' }, (x) => `IRP_MN_QUERY_STOP_DEVICE${bus(x.bus)}`)
    .with({ type: 'QUERY_REMOVE' }, (x) => `IRP_MN_QUERY_REMOVE_DEVICE${bus(x.bus)}`)
    .with({ type: 'STOP' }, () => 'IRP_MN_STOP_DEVICE')
    .with({ type: 'CANCEL_STOP' }, () => 'IRP_MN_CANCEL_STOP_DEVICE')
    .with({ type: 'CANCEL_REMOVE' }, () => 'IRP_MN_CANCEL_REMOVE_DEVICE')
    .with({ type: 'REMOVE' }, () => 'IRP_MN_REMOVE_DEVICE')
    .with({ type: 'SURPRISE_REMOVAL' }, () => 'IRP_MN_SURPRISE_REMOVAL')
    .with({ type: 'FILTER_RESOURCE_REQUIREMENTS' }, () => 'IRP_MN_FILTER_RESOURCE_REQUIREMENTS')
    .with({ type: 'SET_POWER' }, (x) => `IRP_MN_SET_POWER(${x.to})`)
    .with({ type: 'QUERY_CAPABILITIES' }, () => 'IRP_MN_QUERY_CAPABILITIES')
    .exhaustive();
}
