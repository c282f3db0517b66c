/**
 * What the engine reports: one {@link EngineStepEvent} per `step`, and
 * {@link EngineNotice}s for effects of register writes (commands, completion words written
 * by SUSPEND/ABORT, interrupts fired on re-arm). Each carries a one-line `text` for traces.
 *
 * @module
 */
import type { InterruptOutcome } from './interrupts';
import type { ChanCmd, ChannelRegisterName, ChannelStateName, ChanErrName } from './registers';
import { CHANERR } from './registers';
import { describeControlFlags, NET_DMA_TRANSFER_STATUS_NAMES } from './hw';
import type { NetDmaTransferStatus } from './hw';
import { hex } from './memory';

/** A physically contiguous piece of a transfer. */
export interface Segment {
  readonly pa: bigint;
  readonly length: number;
}

/** A completion word the engine wrote. */
export interface CompletionWrite {
  readonly address: bigint;
  readonly word: bigint;
  /** APIC id the write's DCA hint went to (DCACTRL binding or last context change), or none. */
  readonly dcaTarget: number | undefined;
}

/** Fields shared by the events of a descriptor that completed. */
export interface CompletedDescriptorFields {
  readonly ch: number;
  readonly descriptorPa: bigint;
  /** Fetch ordinal of the descriptor on its channel (see faults.ts). */
  readonly ordinal: number;
  readonly controlFlags: number;
  /** Active (more work remains) or Idle (it was the last pending descriptor). */
  readonly status: NetDmaTransferStatus;
  /** The completion word written, when the descriptor asked for one. */
  readonly completionWrite: CompletionWrite | undefined;
  /** `none` when the descriptor did not ask for an interrupt. */
  readonly interrupt: InterruptOutcome | 'none';
  /**
   * NET_DMA_SERIALIZE_TRANSFER was set. The engine satisfies it by construction: a step does
   * the whole copy and then the completion write before any later step reads data.
   */
  readonly serialize: boolean;
  /** Channel state after the descriptor. */
  readonly state: ChannelStateName;
  readonly text: string;
}

/** The result of one `step`. */
export type EngineStepEvent =
  /** A standard descriptor moved `bytes` bytes (0 for a zero-length transfer). */
  | (CompletedDescriptorFields & {
      readonly kind: 'copied';
      readonly bytes: number;
      readonly source: readonly Segment[];
      readonly destination: readonly Segment[];
      /** NET_DMA_DESTINATION_DCA_ENABLE was set. */
      readonly dcaRequested: boolean;
      /** The channel's DCA target APIC id used for the hint (undefined when none is set or not requested). */
      readonly dcaTarget: number | undefined;
    })
  /** A NET_DMA_NULL_TRANSFER descriptor completed without moving data. */
  | (CompletedDescriptorFields & { readonly kind: 'null' })
  /** A context-change descriptor set the channel's DCA target. */
  | (CompletedDescriptorFields & { readonly kind: 'context-change'; readonly apicId: number })
  /** The channel halted on an error at `descriptorPa`. */
  | {
      readonly kind: 'error';
      readonly ch: number;
      readonly descriptorPa: bigint;
      readonly ordinal: number | undefined;
      /** The CHANERR bit set. */
      readonly chanerr: number;
      readonly errorName: ChanErrName;
      /** Whether the error came from a fault rule rather than from the descriptor. */
      readonly injected: boolean;
      readonly completionWrite: CompletionWrite | undefined;
      readonly interrupt: InterruptOutcome | 'none';
      readonly text: string;
    }
  /** A linked chain re-read the NextDescriptor of `afterPa`, found 0 and went idle. */
  | { readonly kind: 'idle'; readonly ch: number; readonly afterPa: bigint; readonly text: string };

/** Effects of register writes, reported through `EngineConfig.notify`. */
export type EngineNotice =
  | {
      readonly kind: 'command';
      readonly ch: number;
      readonly command: ChanCmd['kind'];
      /** False for an illegal command (CHANERR 0x20 set). */
      readonly accepted: boolean;
      readonly state: ChannelStateName;
      readonly text: string;
    }
  | {
      /** A write to a channel register dropped because the channel's RESET is still in progress (commands.ts, *Command timing*). */
      readonly kind: 'write-dropped';
      readonly ch: number;
      readonly register: ChannelRegisterName;
      readonly value: bigint;
      readonly text: string;
    }
  | {
      /** A command latched at its write (see commands.ts, *Command timing*) took effect. */
      readonly kind: 'command-effect';
      readonly ch: number;
      readonly command: 'suspend' | 'abort' | 'reset';
      readonly state: ChannelStateName;
      readonly text: string;
    }
  | {
      readonly kind: 'counted-start';
      readonly ch: number;
      readonly chainAddr: bigint;
      readonly dmaCount: number;
      readonly completedCount: number;
      readonly text: string;
    }
  | {
      readonly kind: 'completion-write';
      readonly ch: number;
      readonly reason: 'suspend' | 'abort';
      readonly write: CompletionWrite;
      readonly text: string;
    }
  | {
      /** A SUSPEND or ABORT status write found CHANCMP unusable and halted the channel. */
      readonly kind: 'halt';
      readonly ch: number;
      readonly chanerr: number;
      readonly descriptorPa: bigint;
      readonly interrupt: InterruptOutcome | 'none';
      readonly text: string;
    }
  | { readonly kind: 'interrupt'; readonly ch: number; readonly reason: 'rearm' | 'master-enable'; readonly text: string };

/** Name of a single CHANERR bit. */
export function chanerrName(bit: number): ChanErrName {
  const hit = (Object.entries(CHANERR) as Array<[ChanErrName, number]>).find(([, v]) => v === bit);
  if (hit === undefined) throw new Error(`not a CHANERR bit: 0x${bit.toString(16)}`);
  return hit[0];
}

/** Text tail shared by completed-descriptor events. */
export function completionText(
  status: NetDmaTransferStatus,
  write: CompletionWrite | undefined,
  interrupt: InterruptOutcome | 'none',
  flags: number,
): string {
  const parts = [`[${describeControlFlags(flags)}]`];
  parts.push(write === undefined ? `no status write (${NET_DMA_TRANSFER_STATUS_NAMES[status]})` : `CHANCMP@${hex(write.address)} <- ${hex(write.word)} (${NET_DMA_TRANSFER_STATUS_NAMES[status]})`);
  if (interrupt !== 'none') parts.push(`interrupt ${interrupt}`);
  return parts.join(' ');
}
