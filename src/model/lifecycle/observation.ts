/**
 * What the model reasons about: the provider-visible effects the simulated kernel observes while
 * one IRP is being handled, in order. The kernel produces these; the model judges them.
 */
export type Observation =
  /** The IRP reached the bus driver (was passed down), with the status it carried then. */
  | { readonly op: 'LowerReceived'; readonly status: number; readonly seq: number; readonly information?: unknown }
  /** The bus driver completed the IRP with this status (and IoStatus.Information). */
  | { readonly op: 'LowerCompleted'; readonly status: number; readonly seq: number; readonly information?: unknown; readonly informationText?: string }
  /** The provider called IoCompleteRequest on the IRP. */
  | { readonly op: 'FdoCompleted'; readonly status: number; readonly seq: number }
  | { readonly op: 'NetDmaProviderStart'; readonly seq: number }
  | { readonly op: 'NetDmaProviderStop'; readonly seq: number }
  | { readonly op: 'NetDmaDeregisterProvider'; readonly seq: number }
  | { readonly op: 'NetDmaPnPEventNotify'; readonly code: number; readonly seq: number }
  /** Hardware resources taken or given back (register mapping, interrupt connection). */
  | { readonly op: 'HardwareAcquired'; readonly what: 'registers' | 'interrupts'; readonly seq: number }
  | { readonly op: 'HardwareReleased'; readonly what: 'registers' | 'interrupts'; readonly seq: number }
  | { readonly op: 'IoDetachDevice'; readonly seq: number }
  | { readonly op: 'IoDeleteDevice'; readonly seq: number }
  /** The provider asked for a power IRP with PoRequestPowerIrp (`state`: the DEVICE_POWER_STATE asked for). */
  | { readonly op: 'PowerIrpRequested'; readonly minor: number; readonly state: number; readonly seq: number }
  /** A power IRP the provider requested completed, and its completion function (if any) returned. */
  | { readonly op: 'PowerIrpRequestCompleted'; readonly minor: number; readonly state: number; readonly status: number; readonly seq: number }
  /** The provider reported a device power state with PoSetPowerState. */
  | { readonly op: 'PoSetPowerState'; readonly state: number; readonly seq: number }
  /**
   * A device IRP_MN_SET_POWER reached the bus driver (`completed` false: the device changes state
   * there) or the bus completed it (`completed` true). `state`: PowerDeviceD0 or PowerDeviceD3.
   */
  | { readonly op: 'DevicePowerAtBus'; readonly state: number; readonly completed: boolean; readonly seq: number };

/** The operation names of {@link Observation}. */
export type ObservationOp = Observation['op'];

/** How one IRP went, from the PnP manager's point of view. */
export interface IrpOutcome {
  /** What the top driver's dispatch routine returned. */
  readonly dispatchReturned: number;
  /** Whether the IRP finished completing (all the way up). */
  readonly completed: boolean;
  /** The final IoStatus.Status, when completed. */
  readonly finalStatus: number;
  /** How many times the provider called IoCompleteRequest on it. */
  readonly fdoCompletions: number;
  /** How many times it reached the bus driver. */
  readonly lowerReceptions: number;
  /** The effects seen while it was in flight. */
  readonly observations: readonly Observation[];
  /** Hardware resources the device still held after the IRP finished. */
  readonly hardwareHeldAfter: { readonly registers: number; readonly interrupts: number };
  /** Whether an FDO is still attached above the PDO, and not deleted, afterwards. */
  readonly fdoAttachedAfter: boolean;
  /** The final IoStatus.Information. */
  readonly finalInformation?: unknown;
  /** The FDO's DO_* flags afterwards (0 when there is none). */
  readonly fdoFlagsAfter?: number;
}
