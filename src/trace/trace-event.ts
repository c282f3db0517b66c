/**
 * One step of a run's observable history, in the order it happened.
 *
 * Every layer that a counterexample should show (the PnP manager's IRPs, calls the
 * provider makes into the kernel or NetDMA, NetDMA calling the provider's handlers,
 * register accesses, the engine's progress, interrupts, DPCs, and the verdicts
 * themselves) appends to the same timeline, so a failure reads as one story.
 */
export type TraceEventKind =
  | 'irp' // the PnP/power manager sent an IRP, or an IRP was completed
  | 'call' // the provider called a kernel / NetDMA routine
  | 'handler' // the system called one of the provider's routines (DriverEntry, AddDevice, dispatch, Provider* handlers, ISR, DPC, Unload)
  | 'return' // a provider routine returned (with its value)
  | 'register' // an MMIO register read or write
  | 'engine' // the simulated copy engine made progress (descriptor fetched, copied, completion written, error)
  | 'interrupt' // an interrupt was raised or delivered
  | 'dpc' // a DPC was queued or ran
  | 'client' // the NetDMA client (e.g. tcpip.sys) did something: allocate, build a chain, check bytes
  | 'violation' // a rule was broken
  | 'note'; // anything else worth showing

/** A single timeline entry. `detail` is plain JSON data. */
export interface TraceEvent {
  /** Position in the run, from 0. */
  readonly seq: number;
  readonly kind: TraceEventKind;
  /** One human-readable line, WDK names first, e.g. `IoCallDriver(FDO#1 -> PDO#1, IRP_MN_START_DEVICE)`. */
  readonly text: string;
  /** Simulated processor the event happened on, when meaningful. */
  readonly cpu?: number;
  /** IRQL at the time, when meaningful (0 PASSIVE, 1 APC, 2 DISPATCH, >2 DIRQL). */
  readonly irql?: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}
