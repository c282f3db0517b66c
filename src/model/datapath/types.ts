/**
 * Inputs and outputs of the data-path model.
 *
 * @module
 */
import type { ModelMemory } from './memory';

/** Channel setup the model starts from (a freshly reset channel with these registers programmed). */
export interface DatapathConfig {
  /** XFERCAP: transfers above 2^xfercapLog2 are a length error; 0 = no limit. */
  readonly xfercapLog2: number;
  /** Initial CHANCTRL (INT_REARM, ERR_COMPLETION_EN, ERR_INT_EN ... ). */
  readonly chanctrl: number;
  /** INTRCTRL.MASTER_INT_EN. */
  readonly masterIntEn: boolean;
  /** CHANCMP. */
  readonly completionAddress: bigint;
  /** CHANERR_MASK (default 0). */
  readonly chanerrMask?: number;
  /** The engine does DCA (default true); without it a context change retargets nothing. */
  readonly dca?: boolean;
  /**
   * Prefetch depth of the engine (default 0): descriptors fetched ahead of the one processed next,
   * each processed with the NextDescriptor value read at its fetch until APPEND / a DMACOUNT
   * change / RESUME / ABORT / RESET makes the engine re-read (src/hardware/dma.ts, *Prefetch*).
   * NetDMA's contract is the depth-0 behaviour with APPEND honoured; a deeper engine gives the
   * same result for a driver that issues APPEND as F28 asks.
   */
  readonly prefetch?: number;
}

/**
 * One driver action on the channel, or engine progress. Each maps to fixed register writes:
 * `start` = CHAINADDR := head, CHANCMD START; `start-counted` = CHAINADDR := head,
 * DMACOUNT := DMACOUNT + count; `append` = CHANCMD APPEND; `add-count` = DMACOUNT += count;
 * `suspend`/`resume`/`abort`/`reset` = that CHANCMD; `command` = a raw CHANCMD byte;
 * `cpu-write` = the processor stores bytes (list edits, tail patches, new descriptors);
 * `rearm` = CHANCTRL |= INT_REARM; `clear-errors` = CHANERR := 0xFFFFFFFF (write 1 to clear);
 * `step` = `count` engine steps on the channel.
 *
 * The order of the operations is the order in which the engine saw them: a caller observing a
 * driver feeds an operation at the register write that carried it to the engine (the CHANCMD
 * command, the DMACOUNT write), after any engine steps taken before that write.
 */
export type DatapathOp =
  | { readonly op: 'start'; readonly head: bigint }
  | { readonly op: 'start-counted'; readonly head: bigint; readonly count: number }
  | { readonly op: 'append' }
  | { readonly op: 'add-count'; readonly count: number }
  | { readonly op: 'suspend' }
  | { readonly op: 'resume' }
  | { readonly op: 'abort' }
  | { readonly op: 'reset' }
  | { readonly op: 'command'; readonly value: number }
  | { readonly op: 'cpu-write'; readonly pa: bigint; readonly bytes: Uint8Array }
  | { readonly op: 'rearm' }
  | { readonly op: 'clear-errors' }
  | { readonly op: 'step'; readonly count: number };

/** How a completed descriptor was treated. */
export type DatapathOutcome = 'copied' | 'null' | 'context-change';

/**
 * Something observable the channel did, in order. `op` is the index of the operation
 * during which it happened. For one descriptor the order is: `descriptor` (or `error`),
 * then its `completion` word if one was written, then `interrupt` if one was raised.
 * An accepted SUSPEND reports `suspended` after its own status write (or halt).
 */
export type DatapathEvent =
  | {
      readonly t: 'descriptor';
      readonly op: number;
      readonly pa: bigint;
      readonly outcome: DatapathOutcome;
      /** Bytes moved (0 for NULL, context change and zero-length). */
      readonly bytes: number;
      /** NetDmaTransferStatusActive (0) or Idle (1). */
      readonly status: number;
    }
  | { readonly t: 'error'; readonly op: number; readonly pa: bigint; readonly chanerr: number }
  | { readonly t: 'idle'; readonly op: number; readonly after: bigint }
  | { readonly t: 'completion'; readonly op: number; readonly word: bigint }
  | { readonly t: 'interrupt'; readonly op: number }
  | { readonly t: 'suspended'; readonly op: number; readonly lastDescriptor: bigint }
  | { readonly t: 'illegal-command'; readonly op: number; readonly value: number };

/** A descriptor the channel completed, with the memory right after it. */
export interface ProcessedDescriptor {
  readonly op: number;
  readonly pa: bigint;
  readonly outcome: DatapathOutcome;
  readonly bytes: number;
  readonly memoryAfter: ModelMemory;
}

/** Register-visible channel state. */
export interface DatapathRegisters {
  /** CHANSTS state code: 0 active, 1 idle, 2 suspended, 3 halted, 4 armed. */
  readonly stateCode: number;
  readonly chansts: bigint;
  readonly chanerr: number;
  readonly cdar: bigint;
  readonly dmaCount: number;
  readonly completedCount: number;
  readonly chanctrl: number;
  readonly dcaApicId: number | undefined;
  readonly mode: 'none' | 'linked' | 'counted';
}

/** A DMA write (copy segment or completion word). */
export interface DatapathWrite {
  readonly op: number;
  readonly pa: bigint;
  readonly length: number;
}

/** Everything the model predicts for a run. */
export interface DatapathResult {
  /** Memory after the last operation. */
  readonly memory: ModelMemory;
  /** Memory after each operation (index = op index). */
  readonly memoryAfterOp: readonly ModelMemory[];
  /** Registers after each operation. */
  readonly registersAfterOp: readonly DatapathRegisters[];
  readonly events: readonly DatapathEvent[];
  /** The completed descriptors in order. */
  readonly processed: readonly ProcessedDescriptor[];
  /** Completion words in the order written. */
  readonly completionWords: readonly bigint[];
  /** Number of interrupts raised. */
  readonly interrupts: number;
  /** For each accepted SUSPEND, the descriptor it reports (CHANSTS address field). */
  readonly suspendReports: readonly bigint[];
  /** DMA writes in order. */
  readonly dmaWrites: readonly DatapathWrite[];
  readonly final: DatapathRegisters;
}
