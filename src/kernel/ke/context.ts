/**
 * The kernel context: what every component of the simulated kernel may use of the machine it runs
 * in — the processors, the work queue and its chooser, the timeline, the verifier, the routine the
 * machine is in, and the observations the lifecycle model judges. Components take this (or a
 * narrow extension of it naming the other components they call), never the `Machine` itself; the
 * machine (`src/kernel/machine/machine.ts`) implements it and wires the components together.
 *
 * @module
 */
import type { Observation } from '../../model/lifecycle/observation';
import type { TraceLog } from '../verifier/trace-log';
import type { HarnessError, Verifier } from '../verifier/verifier';
import type { Processors } from './processors';
import type { Chooser, WorkQueue } from './scheduler';

/** What the machine is doing at the top level, for rules tied to a routine (DriverEntry, AddDevice, Unload). */
export type Phase = 'Idle' | 'DriverEntry' | 'AddDevice' | 'Irp' | 'Unload';

/** The NetDMA interface version the simulated system presents. */
export type InterfaceVersion = '1.0' | '1.1' | '2.0';

/**
 * How the engine's interrupts reach the processors: one MSI-X message per channel, MSI (one
 * message for every channel; the ISR tells the channels apart by ATTNSTATUS), or the line-based
 * interrupt (INTx).
 */
export type InterruptMode = 'msix' | 'msi' | 'line';

/** How the machine was built (the options with their defaults filled in). */
export interface MachineConfig {
  readonly interfaceVersion: InterfaceVersion;
  readonly cpus: number;
  /** The machine supports MSI-X (`interrupts === 'msix'`). */
  readonly msix: boolean;
  /** How the engine's interrupts are delivered. */
  readonly interrupts: InterruptMode;
  /** First physical address of the memory allocations come from (below or above 4 GiB). */
  readonly memoryBase: bigint;
  readonly channelParametersRevision: 1 | 2;
  readonly engine: { readonly channelCount: number; readonly xfercapLog2: number; readonly vendorId: number; readonly dca: boolean; readonly prefetchDepth: number; readonly resetDelayUs: number; readonly stopDelayUs: number };
}

/** Omit over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The machine as every kernel component sees it. */
export interface KernelContext {
  /** The processors: who runs, at which IRQL, holding which locks. */
  readonly cpus: Processors;
  /** How the machine was built. */
  readonly options: MachineConfig;
  /** Source of every nondeterministic choice. */
  readonly chooser: Chooser;
  /** Deferred work: DPCs, work items, interrupt deliveries, the engines. */
  readonly work: WorkQueue;
  /** The run's timeline. */
  readonly trace: TraceLog;
  /** The Driver-Verifier-style checker. */
  readonly verifier: Verifier;
  /** The first harness failure, if any. */
  readonly harnessError: HarnessError | null;
  /** The top-level routine the machine is in. */
  readonly phase: Phase;
  /** Throws the recorded bug check (or harness error), if the machine has already failed. */
  assertAlive(): void;
  /** Records a provider-visible effect against the IRP in flight (if any); `o` must be a fresh literal. */
  observe(o: DistributiveOmit<Observation, 'seq'>): void;
  /** Whether the code running now is a NetDMA channel handler (KE-IRQL-06); the NetDMA client knows. */
  inChannelHandler(): boolean;
}
