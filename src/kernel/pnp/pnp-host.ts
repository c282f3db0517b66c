/**
 * What the PnP manager uses of the machine: every component a driver's lifecycle touches, and
 * the machine's bookkeeping of it (the routine it is in, the AddDevice in progress, the
 * observations the lifecycle model judges).
 *
 * @module
 */
import type { Observation } from '../../model/lifecycle/observation';
import type { DEVICE_OBJECT } from '../api/wdm';
import type { SimDevice } from '../hal/sim-device';
import type { EngineRunner } from '../hal/engine-runner';
import type { Hal } from '../hal/hal';
import type { IoManager } from '../io/io-manager';
import type { KernelContext, Phase } from '../ke/context';
import type { IoWorkItems } from '../io/work-items';
import type { NetDmaInterface } from '../netdma/netdma-interface';
import type { ObjectTable } from '../ob/objects';
import type { Pool } from '../ex/pool';
import type { KernelTimers } from '../ke/timers';
import type { RemoveLocks } from '../io/remove-lock';
import type { DeviceInterfaces } from '../io/device-interfaces';
import type { PowerManager } from '../po/power-manager';

/** What the PnP manager uses of the machine: every component a driver's lifecycle touches, and the machine's bookkeeping of it. */
export interface PnpHost extends KernelContext {
  readonly objects: ObjectTable;
  readonly pool: Pool;
  readonly hal: Hal;
  readonly io: IoManager;
  readonly workItems: IoWorkItems;
  readonly netdma: NetDmaInterface;
  readonly engines: EngineRunner;
  /** The power manager (the IRQL power IRPs arrive at, the system power IRP a stack holds). */
  readonly po: PowerManager;
  /** Runs system code (not the candidate's) on a processor at an IRQL. */
  runAsSystem(cpu: number, irql: number, routine: string, fn: () => void): void;
  /** The top-level routine the machine is in (the PnP manager moves it). */
  phase: Phase;
  /** The PnP or power IRP in flight (its name), for the low-resources simulation. */
  irpInFlight: string | null;
  /** The PDO whose AddDevice is running, for NDMA-REG-04. */
  currentAddDevicePdo: DEVICE_OBJECT | null;
  /** Kernel timers (the Unload audit: none left set). */
  readonly timers: KernelTimers;
  /** Remove locks (the Unload audit: no acquisition left outstanding). */
  readonly removeLocks: RemoveLocks;
  /** Device interfaces (the PnP manager disables a removed device's interfaces). */
  readonly deviceInterfaces: DeviceInterfaces;
  /** Lets time pass while the system is idle (between IRPs); timers expire. */
  letTimePass(ticks: bigint): void;
  /** Plugs in a new engine behind a new PDO. */
  plugDevice(): SimDevice;
  /** Starts collecting observations for one IRP; returns the list being filled. */
  beginObservation(): Observation[];
  /** Stops collecting observations. */
  endObservation(): void;
}
