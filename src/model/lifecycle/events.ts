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
  /**
   * IRP_MN_SET_POWER for a device power state, from the stack's power-policy owner. D1 and D2 only
   * to a device whose stack reported them in DEVICE_CAPABILITIES (the run checks that); from D1 or
   * D2 the owner may go deeper (D2, D3) without D0 between, as a device idled to D2 and then put to
   * D3 for a system sleep is.
   */
  | { readonly type: 'SET_POWER'; readonly to: DevicePowerName }
  /** `bus: 'pend'`: the bus driver pends it and completes it later from a DPC (IRP-04, finding 10). */
  | { readonly type: 'QUERY_CAPABILITIES'; readonly bus?: 'pend' }
  /** A PnP IRP a function driver may handle or must pass down (plug-and-play-minor-irps.md's table). */
  | { readonly type: 'PNP_QUERY'; readonly query: PnpQuery; readonly bus?: 'pend' }
  /** IRP_MN_DEVICE_USAGE_NOTIFICATION: a paging, hibernation or dump file placed on (or taken off) the device's path. */
  | { readonly type: 'DEVICE_USAGE_NOTIFICATION'; readonly usage: SpecialFile; readonly inPath: boolean; readonly bus?: 'pend' }
  /** An open handle's life: IRP_MJ_CREATE, then (if it succeeded) optionally IRP_MJ_DEVICE_CONTROL, then IRP_MJ_CLEANUP and IRP_MJ_CLOSE. */
  | { readonly type: 'OPEN_HANDLE'; readonly ioctl: boolean }
  /** IRP_MJ_SYSTEM_CONTROL (WMI) for the PDO's data blocks (ProviderId is the PDO). */
  | { readonly type: 'SYSTEM_CONTROL' }
  /**
   * A system power transition: IRP_MN_QUERY_POWER for `to` (none for S5, which cannot be vetoed),
   * then IRP_MN_SET_POWER for `to` with the device's D3 IRP, and — but for S5, the last step of a
   * run — the return to S0 with the device's D0 IRP. `bus`: how the lower drivers answer the system
   * IRPs (a refused query cancels the transition: Windows sends IRP_MN_SET_POWER for S0).
   */
  | { readonly type: 'SYSTEM_POWER'; readonly to: SystemSleepState; readonly bus: BusAnswer };

/**
 * PnP IRPs beyond the state-changing ones, with what a function driver for a nonbus device may do
 * with each (plug-and-play-minor-irps.md): "No" ones it must pass down unhandled; "Optional"
 * ones it may handle. `UndefinedMinor` is a minor code no IRP has.
 */
export type PnpQuery =
  | 'BusRelations' // Optional
  | 'RemovalRelations' // Optional
  | 'EjectionRelations' // No
  | 'TargetDeviceRelation' // No
  | 'QueryInterface' // Optional (an interface the FDO does not export: passed down)
  | 'QueryPnpDeviceState' // Optional
  | 'QueryResources' // No
  | 'QueryResourceRequirements' // No
  | 'QueryId' // No
  | 'QueryDeviceText' // No
  | 'QueryBusInformation' // No
  | 'UndefinedMinor';

/** Every {@link PnpQuery}, in a stable order. */
export const PNP_QUERIES: readonly PnpQuery[] = [
  'BusRelations',
  'RemovalRelations',
  'EjectionRelations',
  'TargetDeviceRelation',
  'QueryInterface',
  'QueryPnpDeviceState',
  'QueryResources',
  'QueryResourceRequirements',
  'QueryId',
  'QueryDeviceText',
  'QueryBusInformation',
  'UndefinedMinor',
];

/** The queries a function driver for a nonbus device must not handle ("No" in plug-and-play-minor-irps.md), and undefined minors. */
export function mustNotHandle(q: PnpQuery): boolean {
  switch (q) {
    case 'BusRelations':
    case 'RemovalRelations':
    case 'QueryInterface':
    case 'QueryPnpDeviceState':
      return false;
    case 'EjectionRelations':
    case 'TargetDeviceRelation':
    case 'QueryResources':
    case 'QueryResourceRequirements':
    case 'QueryId':
    case 'QueryDeviceText':
    case 'QueryBusInformation':
    case 'UndefinedMinor':
      return true;
    default:
      return assertNever(q);
  }
}

/** The special files of DEVICE_USAGE_NOTIFICATION (`DEVICE_USAGE_NOTIFICATION_TYPE`). */
export type SpecialFile = 'Paging' | 'Hibernation' | 'DumpFile';

/** Index of a special file in {@link DeviceModel.specialFiles}. */
export function specialFileIndex(f: SpecialFile): 0 | 1 | 2 {
  return f === 'Paging' ? 0 : f === 'Hibernation' ? 1 : 2;
}

/** A device power state (`DEVICE_POWER_STATE` PowerDeviceD0..PowerDeviceD3) by name. */
export type DevicePowerName = 'D0' | 'D1' | 'D2' | 'D3';

/** Depth of a device power state: D0 is 0, D3 is 3 (a lower-powered state is deeper). */
export function powerDepth(s: DevicePowerName): number {
  return s === 'D0' ? 0 : s === 'D1' ? 1 : s === 'D2' ? 2 : 3;
}

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
  'PNP_QUERY',
  'DEVICE_USAGE_NOTIFICATION',
  'OPEN_HANDLE',
  'SYSTEM_CONTROL',
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
      return `IRP_MN_QUERY_CAPABILITIES${e.bus === 'pend' ? ' (bus pends)' : ''}`;
    case 'PNP_QUERY':
      return `${queryLabel(e.query)}${e.bus === 'pend' ? ' (bus pends)' : ''}`;
    case 'DEVICE_USAGE_NOTIFICATION':
      return `IRP_MN_DEVICE_USAGE_NOTIFICATION(DeviceUsageType${e.usage}, InPath ${e.inPath ? 'TRUE' : 'FALSE'})${e.bus === 'pend' ? ' (bus pends)' : ''}`;
    case 'OPEN_HANDLE':
      return e.ioctl ? 'IRP_MJ_CREATE, IRP_MJ_DEVICE_CONTROL, IRP_MJ_CLEANUP, IRP_MJ_CLOSE' : 'IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE';
    case 'SYSTEM_CONTROL':
      return 'IRP_MJ_SYSTEM_CONTROL(IRP_MN_QUERY_ALL_DATA for the PDO)';
    case 'SYSTEM_POWER':
      return `system power ${e.to === 'S5' ? 'S5 (shutdown)' : e.to === 'S4' ? 'S4 (hibernate) and back to S0' : `${e.to} (sleep) and back to S0`}${bus(e.bus)}`;
    default:
      return assertNever(e);
  }
}

/** The IRP a query names, e.g. `IRP_MN_QUERY_DEVICE_RELATIONS(RemovalRelations)`. */
export function queryLabel(q: PnpQuery): string {
  switch (q) {
    case 'BusRelations':
    case 'RemovalRelations':
    case 'EjectionRelations':
    case 'TargetDeviceRelation':
      return `IRP_MN_QUERY_DEVICE_RELATIONS(${q})`;
    case 'QueryInterface':
      return 'IRP_MN_QUERY_INTERFACE';
    case 'QueryPnpDeviceState':
      return 'IRP_MN_QUERY_PNP_DEVICE_STATE';
    case 'QueryResources':
      return 'IRP_MN_QUERY_RESOURCES';
    case 'QueryResourceRequirements':
      return 'IRP_MN_QUERY_RESOURCE_REQUIREMENTS';
    case 'QueryId':
      return 'IRP_MN_QUERY_ID(BusQueryDeviceID)';
    case 'QueryDeviceText':
      return 'IRP_MN_QUERY_DEVICE_TEXT(DeviceTextDescription)';
    case 'QueryBusInformation':
      return 'IRP_MN_QUERY_BUS_INFORMATION';
    case 'UndefinedMinor':
      return 'IRP_MJ_PNP/0x0e (an undefined minor code)';
    default:
      return assertNever(q);
  }
}
