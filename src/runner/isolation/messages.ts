import * as z from 'zod';
import type { PropertyCheckResult } from '../../../properties/result';
import type { WorkUnit } from '../units';
import type { CandidateCoverage } from './coverage';

/** What the parent sends the isolation worker. */
export interface WorkerInput {
  readonly entry: string;
  readonly candidatePath: string;
  readonly units: readonly WorkUnit[];
  readonly sab: SharedArrayBuffer;
  /** Replay exactly this path (from a token) instead of generating runs. */
  readonly path?: string;
  /** Stop each unit at its first failure. */
  readonly failFast?: boolean;
  /** Rules whose failure does not end a unit under failFast (waived rules). */
  readonly continuePast?: readonly string[];
  /** Collect V8 coverage of the candidate's own files. */
  readonly coverage?: boolean;
}

/** What the worker sends back. A tagged union. */
export type WorkerMessage =
  | { readonly type: 'loaded' }
  | { readonly type: 'load-error'; readonly message: string }
  | { readonly type: 'unit'; readonly index: number; readonly result: PropertyCheckResult }
  | { readonly type: 'tampered'; readonly index: number; readonly changed: readonly string[] }
  | { readonly type: 'crash'; readonly index: number; readonly message: string }
  | { readonly type: 'coverage'; readonly coverage: CandidateCoverage }
  | ProgressMessage
  | { readonly type: 'done' };

/** How often (in generated runs) the worker reports progress within a work unit. */
export const PROGRESS_EVERY_RUNS = 32;

/** Progress within a work unit: generated run `run` (from 0) of unit `index` has started. */
export const ProgressMessageSchema = z.object({
  type: z.literal('progress'),
  index: z.number().int().nonnegative(),
  run: z.number().int().nonnegative(),
});

/** A validated progress message (see {@link ProgressMessageSchema}). */
export type ProgressMessage = z.infer<typeof ProgressMessageSchema>;
