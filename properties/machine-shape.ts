/**
 * The machine a run draws (issue 13): how many channels the engine has, how many processors the
 * system has, how the engine's interrupts are delivered, and where physical memory lies. Part of
 * the generated input of both the lifecycle and the data-path property, so a counterexample
 * shrinks towards the machine every run used before — 4 channels, 4 processors, MSI-X, memory below
 * 4 GiB — and a replay token reproduces its machine.
 *
 * @module
 */
import fc from 'fast-check';
import type { InterruptMode, MachineOptions } from '../src/kernel';
import type { MachineConfig } from '../src/kernel/ke/context';

/** The drawn shape of one run's machine. Plain numbers and strings (it is part of a counterexample, shown in reports). */
export interface MachineShape {
  /** The engine's CHANCNT, 1..16. */
  readonly channelCount: number;
  /** Processors, 1..64 (KAFFINITY bits above 31 are used from 33 processors on). */
  readonly cpus: number;
  /** MSI-X (a message per channel), MSI (one message for every channel) or the line-based interrupt. */
  readonly interrupts: InterruptMode;
  /**
   * Where physical memory allocations start: `0x1000_0000` (below 4 GiB) or an address above 4 GiB,
   * so that every address register and descriptor field carries a non-zero high dword.
   */
  readonly memoryBase: number;
  /** The engine's XFERCAP (log2 of its largest transfer); absent: the property's own (20, 1 MiB). */
  readonly xfercapLog2?: number;
}

/** The machine every run used before machine shapes were drawn (and the one a shape shrinks to). */
export const DEFAULT_MACHINE_SHAPE: MachineShape = Object.freeze({ channelCount: 4, cpus: 4, interrupts: 'msix', memoryBase: 0x1000_0000 });

/** Lowest base drawn above 4 GiB. */
export const HIGH_MEMORY_BASE = 0x1_2345_0000;

/** 4 GiB: a base at or above it puts every allocation above 4 GiB (except MmAllocateContiguousMemory's below HighestAcceptableAddress). */
export const FOUR_GIB = 0x1_0000_0000;

/**
 * CHANCNT: 4 (today's engine, first so it shrinks there) a third of the time; 1, 2, 5, 8 and 16 (a
 * channel, two, one past a 4-entry table, one past an 8-entry table, the most) often; any count
 * 1..16 otherwise. Every provider of the suite declares MaxDmaChannelCount 16 or less, so counts
 * below, at and above a provider's own maximum (4, 8, ...) all occur.
 */
export const channelCountArb: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.constant(4) },
  { weight: 8, arbitrary: fc.constantFrom(1, 2, 5, 8, 16) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }) },
);

/** Processors: 4 (first) often; 1, 2, 33 and 64 often; any count 1..64 otherwise. */
export const cpusArb: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.constant(4) },
  { weight: 6, arbitrary: fc.constantFrom(1, 2, 33, 64) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 64 }) },
);

/** MSI-X (first) half of the time, MSI and the line interrupt a quarter each. */
export const interruptModeArb: fc.Arbitrary<InterruptMode> = fc.constantFrom<InterruptMode>('msix', 'msix', 'msi', 'line');

/** Below 4 GiB (first) or, half the time, above it: 0x1_2345_0000 and up in 64 KiB steps. */
export const memoryBaseArb: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  fc.constant(DEFAULT_MACHINE_SHAPE.memoryBase),
  fc.integer({ min: 0, max: 0xffff }).map((k) => HIGH_MEMORY_BASE + k * 0x1_0000),
);

/** XFERCAP for the lifecycle property's engine: 1 MiB (first) or 4 KiB .. 1 MiB. */
export const lifecycleXfercapArb: fc.Arbitrary<number> = fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(20) }, { weight: 1, arbitrary: fc.integer({ min: 12, max: 20 }) });

/**
 * The machine shape without XFERCAP (the data-path property draws its own): the default machine
 * (first, so shrinking goes there) for a third of the runs, so that bugs the plain machine shows
 * keep most of their chance per run, and a machine drawn dimension by dimension otherwise.
 */
export const machineShapeArb: fc.Arbitrary<MachineShape> = fc.oneof(
  { withCrossShrink: true },
  { weight: 1, arbitrary: fc.constant(DEFAULT_MACHINE_SHAPE) },
  {
    weight: 2,
    arbitrary: fc.record({
      channelCount: channelCountArb,
      cpus: cpusArb,
      interrupts: interruptModeArb,
      memoryBase: memoryBaseArb,
    }),
  },
);

/** The machine shape with XFERCAP (the lifecycle property's); the default machine a third of the time, as {@link machineShapeArb}. */
export const machineShapeWithXfercapArb: fc.Arbitrary<MachineShape> = fc.oneof(
  { withCrossShrink: true },
  { weight: 1, arbitrary: fc.constant({ ...DEFAULT_MACHINE_SHAPE, xfercapLog2: 20 }) },
  {
    weight: 2,
    arbitrary: fc.record({
      channelCount: channelCountArb,
      cpus: cpusArb,
      interrupts: interruptModeArb,
      memoryBase: memoryBaseArb,
      xfercapLog2: lifecycleXfercapArb,
    }),
  },
);

/** The machine options a shape stands for (engine DCA and XFERCAP are the caller's). */
export function machineOptionsOf(s: MachineShape): Pick<MachineOptions, 'cpus' | 'interrupts' | 'memoryBase'> & { readonly channelCount: number } {
  return { cpus: s.cpus, interrupts: s.interrupts, memoryBase: BigInt(s.memoryBase), channelCount: s.channelCount };
}

/** One line for counterexamples: the machine a run used, when it is not the default one. */
export function machineShapeLabel(s: MachineShape): string {
  const mem = s.memoryBase >= FOUR_GIB ? `memory above 4 GiB (from 0x${s.memoryBase.toString(16)})` : 'memory below 4 GiB';
  const irq = s.interrupts === 'msix' ? 'MSI-X' : s.interrupts === 'msi' ? 'MSI (one message)' : 'line-based interrupt';
  return `(machine: ${s.channelCount} channel(s), ${s.cpus} processor(s), ${irq}, ${mem}${s.xfercapLog2 !== undefined ? `, XFERCAP ${s.xfercapLog2}` : ''})`;
}

/** A configuration a run exercised, as the reports list it. */
export interface MachineConfiguration {
  readonly channelCount: number;
  readonly cpus: number;
  readonly interrupts: InterruptMode;
  /** Memory above 4 GiB. */
  readonly highMemory: boolean;
  readonly xfercapLog2: number;
}

/** Whether `s` is the machine every run used before shapes were drawn (its label is then left out). */
export function isDefaultShape(s: MachineShape): boolean {
  const d = DEFAULT_MACHINE_SHAPE;
  return s.channelCount === d.channelCount && s.cpus === d.cpus && s.interrupts === d.interrupts && s.memoryBase === d.memoryBase && (s.xfercapLog2 ?? 20) === 20;
}

/** The configuration a machine was built with, as the reports list it. */
export function machineConfigurationOf(o: MachineConfig): MachineConfiguration {
  return { channelCount: o.engine.channelCount, cpus: o.cpus, interrupts: o.interrupts, highMemory: o.memoryBase >= BigInt(FOUR_GIB), xfercapLog2: o.engine.xfercapLog2 };
}

/** The dimensions of a machine configuration the reports list and `--require-config` names. */
export const MACHINE_DIMENSIONS = ['channels', 'cpus', 'interrupts', 'memory', 'xfercap'] as const;

/** One dimension of a machine configuration. */
export type MachineDimension = (typeof MACHINE_DIMENSIONS)[number];

/** `memory` values. */
export const MEMORY_VALUES = ['below-4GiB', 'above-4GiB'] as const;

/** The `dimension=value` keys of a configuration (one per dimension), as results count them. */
export function configurationKeys(c: MachineConfiguration): string[] {
  return [`channels=${c.channelCount}`, `cpus=${c.cpus}`, `interrupts=${c.interrupts}`, `memory=${c.highMemory ? 'above-4GiB' : 'below-4GiB'}`, `xfercap=${c.xfercapLog2}`];
}

/** Adds one run on `c` to `counts` (keyed as {@link configurationKeys}). */
export function countConfiguration(counts: Map<string, number>, c: MachineConfiguration): void {
  for (const k of configurationKeys(c)) counts.set(k, (counts.get(k) ?? 0) + 1);
}
