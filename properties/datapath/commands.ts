import fc from 'fast-check';
import type { LowResourceFault, LowResourceService, LowResourceWhere } from '../../src/kernel';
import { match } from 'ts-pattern';
import type { CopySpec } from '../../src/client/client-chain';
import type { ClientFault } from '../../src/client/client-datapath';
import { machineShapeArb, type MachineShape } from '../machine-shape';

/** PnP events sent while copies are in flight (HLK "DoConcurrentIO" style). */
export type PnpWithCopies = 'rebalance' | 'surprise-remove' | 'power-cycle' | 'cancelled-stop' | 'sleep-resume';

/** One generated step of a data-path run. A tagged union, dispatched exhaustively. */
export type DatapathCommand =
  | { readonly kind: 'Allocate' }
  | { readonly kind: 'Copy'; readonly channel: number; readonly copies: readonly CopySpec[] }
  | { readonly kind: 'SuspendEditResume'; readonly channel: number; readonly edit: boolean }
  | { readonly kind: 'Abort'; readonly channel: number }
  | { readonly kind: 'Reset'; readonly channel: number }
  | { readonly kind: 'Free'; readonly channel: number }
  | { readonly kind: 'Run'; readonly steps: number }
  | { readonly kind: 'Check' }
  | { readonly kind: 'Fault'; readonly channel: number; readonly fault: ClientFault }
  | { readonly kind: 'Pnp'; readonly event: PnpWithCopies };

/** Which workload a run is: copies only, or copies with PnP/power events in flight. */
export type Workload = 'copies' | 'pnp';

/** Everything one run draws. */
export interface DatapathInput {
  readonly workload: Workload;
  /**
   * Whether the engine does DCA (its PCI capability says so; default true). Drawn per run and
   * shrinking towards an engine without DCA, so NDMA-DCA-02 (a provider that did not declare DCA
   * ignores NET_DMA_DESTINATION_DCA_ENABLE) is exercised on providers that declare DCA only when the
   * engine has it, such as the reference.
   */
  readonly engineDca?: boolean;
  /**
   * The engine's XFERCAP (log2 of the largest transfer; default 20, 1 MiB). Drawn per run, shrinking
   * towards the default, with small engines (4 to 16 KiB) among the draws so that copies of the
   * MaximumTransferSize a provider reports, and sizes just below it, fit the client's buffers and
   * are submitted (NDMA-DP-16).
   */
  readonly xfercapLog2?: number;
  /**
   * Timing of the run's engine (default: none — every command acts at its write, no prefetch):
   * `prefetch` descriptors fetched ahead (CDAR runs ahead of CHANSTS; a tail read as "end of
   * chain" stays so until APPEND / DMACOUNT, FACTS F28) and `resetDelayUs` microseconds a CHANCMD
   * RESET takes to self-clear (writes to the channel meanwhile are lost). Drawn per run, last.
   */
  readonly engineTiming?: EngineTiming;
  readonly commands: readonly DatapathCommand[];
  /** The scheduler's decisions (engine steps, interrupt delivery, handler CPUs and IRQLs). */
  readonly choices: readonly number[];
  /** PnP workloads: a system sleep and resume is played before the command at each index. */
  readonly sleeps?: readonly number[];
  /**
   * Driver Verifier's low-resources simulation in the channel handlers: the one fallible call made
   * in a channel handler that fails (null: none). Drawn last, shrunk toward none.
   */
  readonly lowResources?: LowResourceFault | null;
  /**
   * The machine the run uses (channels, processors, interrupts, memory; XFERCAP is `xfercapLog2`).
   * Drawn last, so the fields above are drawn as before; absent: 4 channels, 4 processors, MSI-X,
   * memory below 4 GiB.
   */
  readonly machine?: MachineShape;
  /**
   * Channels NetDMA allocates right after START, before the commands (as tcpip.sys allocated one per
   * processor): 0 (the default, first) three times in four, else 2..16, so that engine channels
   * past the first four carry copies. Drawn after `machine`.
   */
  readonly allocateAtStart?: number;
}

/** The drawn timing of a run's engine (see {@link DatapathInput.engineTiming}). */
export interface EngineTiming {
  /** Descriptors the engine fetches ahead (0: none). */
  readonly prefetch: number;
  /** Microseconds a CHANCMD RESET takes to self-clear (0: at the write). */
  readonly resetDelayUs: number;
}

/**
 * Engine timing, shrinking towards today's engine (no prefetch, RESET at the write): prefetch 0,
 * 1 or 2 and a RESET of 0 to 4 µs (Linux's ioat_reset_sync allows 20 ms; real engines take a few µs).
 */
export const engineTimingArb: fc.Arbitrary<EngineTiming> = fc.record({
  prefetch: fc.oneof({ withCrossShrink: true }, fc.constant(0), fc.integer({ min: 1, max: 2 })),
  resetDelayUs: fc.oneof({ withCrossShrink: true }, fc.constant(0), fc.integer({ min: 1, max: 4 })),
});
/**
 * A data-path run's low-resources fault (none in about four runs of five): the n-th pool allocation
 * (or contiguous memory, work item, IRP) a channel handler makes fails.
 */
export const datapathLowResourcesArb: fc.Arbitrary<LowResourceFault | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({
      service: fc.constantFrom<LowResourceService>('pool', 'pool', 'pool', 'contiguous', 'work-item', 'irp'),
      where: fc.constant<LowResourceWhere>('channel'),
      nth: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }),
    }),
  },
);

/** A one-line description of a command, for counterexamples. */
export function commandLabel(c: DatapathCommand): string {
  return match(c)
    .with({ kind: 'Allocate' }, () => 'NetDMA allocates a channel')
    .with({ kind: 'Copy' }, (x) => `channel ${x.channel}: copy chain [${x.copies.map(specLabel).join(', ')}]`)
    .with({ kind: 'SuspendEditResume' }, (x) => `channel ${x.channel}: suspend${x.edit ? ', NULL out the unprocessed descriptors' : ''}, resume`)
    .with({ kind: 'Abort' }, (x) => `channel ${x.channel}: abort`)
    .with({ kind: 'Reset' }, (x) => `channel ${x.channel}: reset`)
    .with({ kind: 'Free' }, (x) => `channel ${x.channel}: free`)
    .with({ kind: 'Run' }, (x) => `let the engine run ${x.steps} step(s)`)
    .with({ kind: 'Check' }, () => 'wait for everything outstanding and check')
    .with({ kind: 'Fault' }, (x) => `channel ${x.channel}: inject ${x.fault}`)
    .with({ kind: 'Pnp' }, (x) => `PnP with copies in flight: ${x.event}`)
    .exhaustive();
}

function specLabel(s: CopySpec): string {
  const flags = [s.status ? 'S' : '', s.interrupt ? 'I' : '', s.serialize ? 'F' : '', s.dca ? 'D' : '', s.pageBreak !== 'none' ? `PB:${s.pageBreak}` : ''].join('');
  const size = s.belowMax === undefined ? `${s.length}B` : s.belowMax === 0 ? 'maxB' : `(max-${s.belowMax})B`;
  const what = s.kind === 'copy' ? `${size}+${s.srcSkew}/${s.dstSkew}` : s.kind;
  return flags ? `${what} ${flags}` : what;
}

/**
 * `belowMax` of a copy spec: -1 (none, `length` as drawn) nine times in ten, else 0 (exactly the
 * maximum) or up to 64 below it; shrinking towards none.
 */
const belowMaxArb = fc.oneof({ withCrossShrink: true }, { weight: 9, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.oneof(fc.constant(0), fc.nat({ max: 64 })) });

/** Copy specs; about one in ten is sized from the provider's MaximumTransferSize (exactly, or a little below). */
const copySpecArb: fc.Arbitrary<CopySpec> = fc
  .record({
    kind: fc.constantFrom<CopySpec['kind']>('copy', 'copy', 'copy', 'copy', 'copy', 'null', 'zero'),
    length: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 2, max: 4000 })),
    srcSkew: fc.nat({ max: 63 }),
    dstSkew: fc.nat({ max: 63 }),
    status: fc.boolean(),
    interrupt: fc.boolean(),
    serialize: fc.boolean(),
    dca: fc.boolean(),
    pageBreak: fc.constantFrom<CopySpec['pageBreak']>('none', 'none', 'none', 'src', 'dst', 'both'),
    belowMax: belowMaxArb,
  })
  .map(({ belowMax, ...spec }): CopySpec => (belowMax < 0 ? spec : { ...spec, belowMax }));

/** Which live channel a command is for (modulo their number): up to 16 live channels can be told apart. */
const channel = fc.nat({ max: 15 });
const faultArb = fc.constantFrom<ClientFault>(
  'read-data', 'write-data', 'source-address', 'destination-address', 'descriptor-control', 'length', 'next-descriptor-address', 'lost-interrupt', 'stall',
);

const copyCommands: Array<fc.WeightedArbitrary<DatapathCommand>> = [
  { weight: 2, arbitrary: fc.constant({ kind: 'Allocate' } as const) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('Copy' as const), channel, copies: fc.array(copySpecArb, { minLength: 1, maxLength: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('SuspendEditResume' as const), channel, edit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('Abort' as const), channel }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('Reset' as const), channel }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('Free' as const), channel }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('Run' as const), steps: fc.nat({ max: 8 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'Check' } as const) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('Fault' as const), channel, fault: faultArb }) },
];

const pnpArb = fc.record({
  kind: fc.constant('Pnp' as const),
  event: fc.constantFrom<PnpWithCopies>('rebalance', 'rebalance', 'power-cycle', 'power-cycle', 'cancelled-stop', 'surprise-remove'),
});

const choicesArb = fc.array(fc.nat({ max: 15 }), { maxLength: 300 });

/** XFERCAP of the run's engine: the default 1 MiB or, half the time, 4, 8 or 16 KiB (shrinking towards the default). */
const xfercapArb = fc.oneof({ withCrossShrink: true }, fc.constant(20), fc.constantFrom(12, 13, 14));

/** Channels allocated right after START: none three times in four, else 2..16 (shrinking towards none). */
const allocateAtStartArb = fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 16 }) });

/** Copy workloads: allocations, chains, suspend/edit/resume, abort, reset, faults. */
export const copiesInputArb: fc.Arbitrary<DatapathInput> = fc.record({
  workload: fc.constant<Workload>('copies'),
  engineDca: fc.boolean(),
  xfercapLog2: xfercapArb,
  commands: fc.array(fc.oneof(...copyCommands), { minLength: 1, maxLength: 25 }),
  choices: choicesArb,
  // Drawn last, so the fields above are drawn exactly as before the engine had timing.
  engineTiming: engineTimingArb,
  lowResources: datapathLowResourcesArb,
  machine: machineShapeArb,
  allocateAtStart: allocateAtStartArb,
});

/** The same with PnP and power events while copies are in flight. */
export const pnpInputArb: fc.Arbitrary<DatapathInput> = fc.record({
  workload: fc.constant<Workload>('pnp'),
  engineDca: fc.boolean(),
  xfercapLog2: xfercapArb,
  commands: fc.array(fc.oneof(...copyCommands, { weight: 5, arbitrary: pnpArb }), { minLength: 1, maxLength: 25 }),
  choices: choicesArb,
  // Drawn last, so the fields above are drawn exactly as before system sleep existed.
  sleeps: fc.array(fc.nat({ max: 25 }), { maxLength: 1 }),
  // Drawn after that, so the fields above are drawn exactly as before the engine had timing.
  engineTiming: engineTimingArb,
  lowResources: datapathLowResourcesArb,
  machine: machineShapeArb,
  allocateAtStart: allocateAtStartArb,
});

/** The commands of `input` with a system sleep and resume inserted before each index of `sleeps`. */
export function commandsWithSleeps(input: DatapathInput): readonly DatapathCommand[] {
  const sleeps = input.sleeps ?? [];
  if (sleeps.length === 0) return input.commands;
  const out: DatapathCommand[] = [];
  for (let i = 0; i <= input.commands.length; i++) {
    for (const at of sleeps) if (Math.min(at, input.commands.length) === i) out.push({ kind: 'Pnp', event: 'sleep-resume' });
    const c = input.commands[i];
    if (c) out.push(c);
  }
  return out;
}

/** Both kinds of runs (the CLI's default). */
export const datapathInputArb: fc.Arbitrary<DatapathInput> = fc.oneof({ weight: 7, arbitrary: copiesInputArb }, { weight: 3, arbitrary: pnpInputArb });
