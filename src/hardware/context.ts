/**
 * What the channel logic (`commands.ts`, `dma.ts`, `status.ts`) needs from the engine.
 *
 * @module
 */
import type { EngineNotice } from './events';
import type { FaultPlan } from './faults';
import type { InterruptUnit } from './interrupts';
import type { PhysicalMemory } from './memory';

/** Engine-wide services available to one channel's logic. */
export interface EngineContext {
  readonly memory: PhysicalMemory;
  /** XFERCAP: transfers above 2^xfercapLog2 bytes are a length error (0 = no limit). */
  readonly xfercapLog2: number;
  /** The engine does DCA: context changes retarget the channel's hints. */
  readonly dca: boolean;
  readonly interrupts: InterruptUnit;
  /** Plain copies take the number-arithmetic path of dma.ts (`stepPlainCopy`); false forces the general path. */
  readonly fastPath: boolean;
  /** Delay of a RESET (simulated interrupt time, 100-ns units; 0: acts at its write). See commands.ts. */
  readonly resetDelay: bigint;
  /** Delay of a SUSPEND or ABORT (100-ns units; 0: acts at its write). See commands.ts. */
  readonly stopDelay: bigint;
  /** Simulated interrupt time now (100-ns units); read only while a command is latched. */
  now(): bigint;
  /** The current fault plan (consulted at every check). */
  faults(): FaultPlan;
  /** Reports an effect of a register write. */
  notify(notice: EngineNotice): void;
}
