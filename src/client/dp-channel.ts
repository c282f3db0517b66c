/**
 * What the NetDMA client keeps per allocated channel: the descriptor ring and copy arenas in
 * simulated memory, the descriptors submitted and the operations NetDMA asked for, and the
 * channel's view of the engine. `ClientDataPath` (client-datapath.ts) drives and judges them.
 *
 * @module
 */
import type { RuleId } from '../../spec';
import {
  NET_DMA_DESCRIPTOR_SIZE,
  type ChannelSnapshot,
  type DescriptorFaultKind,
  type Segment,
} from '../hardware';
import { modelMemoryOf } from '../model/datapath';
import type { DatapathConfig, DatapathOp, ModelMemory } from '../model/datapath';
import { NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED } from '../kernel/api/netdma';
import { Arena, type CopySpec } from './client-chain';
import { HarnessError } from '../kernel/verifier/verifier';
import type { ClientMachine } from './channel-handler-runner';
import type { ChannelRecord, ProviderRecord } from '../kernel/netdma/netdma-interface';
import type { SimDevice } from '../kernel/hal/sim-device';

/** Descriptor slots in each channel's ring. */
export const RING_SLOTS = 128;
/** Bytes in each channel's source and destination arenas. */
export const ARENA = 64 * 1024;
/** Marker NetDMA leaves in UserContext1/2; nobody else may write them (NDMA-DP-19). */
export const USER_CONTEXT = 0x4e65_7444_4d41_0000n;

/**
 * Whether NetDMA treats `prov` as a DCA provider: registered as 2.0 or later with
 * NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED (F17c, F40). Only such providers get
 * context-change descriptors (decision A10).
 */
export function isDcaProvider(prov: ProviderRecord): boolean {
  return prov.version >= 0x200 && (prov.chars.Flags & NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED) !== 0;
}

/** The APIC id of CPU `cpu`: this machine defines APIC id = CPU number. */
export function apicIdOf(cpu: number): number {
  return cpu & 0xff;
}

/** A fault the workload asks for on a channel's next descriptor (or now, for a stall). */
export type ClientFault = DescriptorFaultKind | 'lost-interrupt' | 'stall';

/** One submitted descriptor and, for copies, its buffers. */
export interface Submitted {
  readonly pa: bigint;
  readonly spec: CopySpec;
  readonly flags: number;
  readonly src: readonly Segment[];
  readonly dst: readonly Segment[];
  readonly srcRegions: readonly Segment[];
  readonly dstRegions: readonly Segment[];
  readonly srcBefore: readonly Uint8Array[];
  readonly dstBefore: readonly Uint8Array[];
  /** A descriptor NetDMA sent for itself: a DCA context change or a NULL-operation restart. */
  readonly control: { readonly kind: 'context-change'; readonly apicId: number } | { readonly kind: 'null-start' } | undefined;
  /** The rule a missing or misprocessed control descriptor breaks. */
  readonly controlRule: RuleId | undefined;
}

/** What the client keeps per allocated channel. */
export class DpChannel {
  readonly counted: boolean;
  readonly ring: bigint;
  readonly src: Arena;
  readonly dst: Arena;
  #slot = 0;
  needsStart = true;
  /** What made the next ProviderStartDma necessary (the rule a failed Start breaks). */
  startAfter: 'allocate' | 'abort' | 'reset' = 'allocate';
  freed = false;
  /** Some ProviderStartDma was called since allocation (NDMA-CHAN-06 judges the first). */
  started = false;
  /** The provider set DCA_SUPPORTED: context changes are sent and DCA hints checked. */
  readonly dca: boolean;
  /** APIC id of the last context change the engine processed on this channel (none since allocation or a reset). */
  dcaNow: number | undefined = undefined;
  /** The channel's hardware lost its DCA context (ProviderResetChannel): the next Start begins with a context change. */
  needsContextChange = false;
  /** The engine lost its context (D3): NetDMA restarts the channel after power-up (F39, F50). */
  contextLost = false;
  /** The engine channel this channel was last seen to drive (NDMA-CHAN-08). */
  hwKnown: number | undefined = undefined;
  /** Last descriptor submitted (linked chains: the tail NetDMA patches on Append). */
  tail: bigint | null = null;
  /** The hardware-level operations applied to the channel and the engine steps, in the order the engine saw them (the model's input). */
  readonly ops: DatapathOp[] = [];
  /** Operations of the handler call in progress that the engine has not seen yet (see `ClientDataPath.call`). */
  readonly pending: DatapathOp[] = [];
  /** The engine channel the handler call in progress drives (by CHANCMP), if known. */
  pendingHw: number | undefined = undefined;
  /** DMACOUNT of that engine channel as last seen during the call (a write that changes it hands work over). */
  hwDmaCount = 0;
  /** Client label of each op (for rule attribution and messages). */
  readonly config: DatapathConfig;
  readonly initial: ModelMemory;
  readonly submitted = new Map<bigint, Submitted>();
  readonly order: bigint[] = [];
  /** Descriptors whose ControlFlags NetDMA itself rewrote after submitting them (Suspend-edit-Resume). */
  readonly edited = new Set<bigint>();
  // Engine observations.
  readonly completed: bigint[] = [];
  readonly completedIdx = new Map<bigint, number>();
  readonly errors = new Set<bigint>();
  readonly words: bigint[] = [];
  interrupts = 0;
  readonly suspendReports: bigint[] = [];
  // Interrupt reporting bookkeeping.
  /** Lowest completion index an interrupt raised and not yet reported by NetDmaIsr requires. */
  isrFloor: number | null = null;
  errorToReport = false;
  errorSinceDpc = false;
  lostInterrupt = false;
  /** Completion index of the oldest interrupt-flagged descriptor no DPC has reported yet. */
  owed: number | null = null;
  /**
   * `owed` when a DPC called NetDmaInterruptDpc with NULL with no error since the previous DPC (a
   * call "for reasons other than DMA completion", A5) while that completion was unreported; cleared
   * with `owed`. A NULL reports nothing, so a later call must still report it (NDMA-INT-03).
   */
  nullOver: number | null = null;
  pendingFault: ClientFault | null = null;
  // History of what the provider told NetDMA (NDMA-HIST-01, NDMA-HIST-02).
  /** Completion index of the descriptor the channel's last non-NULL NetDmaInterruptDpc named (-1: none yet). */
  reportedIdx = -1;
  /** A NetDmaIsr for the channel came after that NetDmaInterruptDpc (a new interrupt). */
  isrSinceReport = false;
  /** The descriptor the engine last halted on with an error since the channel was allocated or reset (null: none). */
  lastFault: bigint | null = null;
  /** NetDMA submitted a descriptor with NET_DMA_STATUS_UPDATE_ON_COMPLETION on the channel: it uses the completion word. */
  statusUpdates = false;

  constructor(
    readonly m: ClientMachine,
    readonly prov: ProviderRecord,
    readonly rec: ChannelRecord,
    readonly name: string,
  ) {
    this.counted = prov.version >= 0x200;
    this.dca = isDcaProvider(prov);
    const mem = m.memory;
    this.ring = clientAllocation(m, prov, RING_SLOTS * NET_DMA_DESCRIPTOR_SIZE, 4096);
    this.src = new Arena(clientAllocation(m, prov, ARENA, 4096), ARENA);
    this.dst = new Arena(clientAllocation(m, prov, ARENA, 4096), ARENA);
    const hw = this.hw();
    this.config = {
      xfercapLog2: m.engineOf(prov.device).xfercapLog2,
      chanctrl: hw?.chanctrl ?? 0,
      masterIntEn: true,
      completionAddress: rec.completionPa,
      chanerrMask: hw?.chanerrMask ?? 0,
      dca: m.engineOf(prov.device).dca,
      // The engine's prefetch window: a provider that rings APPEND/DMACOUNT as F28 asks gets exactly
      // this engine's behaviour; one that skips it leaves the engine on a stale tail the model re-reads.
      prefetch: m.engineOf(prov.device).prefetchDepth,
    };
    this.initial = modelMemoryOf(this.allocations().map((a) => [a.pa, mem.read(a.pa, a.length)] as const));
  }

  get dev(): SimDevice {
    return this.prov.device;
  }

  allocations(): Segment[] {
    return [
      { pa: this.rec.completionPa, length: 64 },
      { pa: this.ring, length: RING_SLOTS * NET_DMA_DESCRIPTOR_SIZE },
      { pa: this.src.base, length: ARENA },
      { pa: this.dst.base, length: ARENA },
    ];
  }

  /** The engine channel the provider gave this channel: the one whose CHANCMP is our completion word. */
  hwIndex(): number | undefined {
    const e = this.m.engineOf(this.dev);
    for (let i = 0; i < e.channelCount; i++) if (e.channelSnapshot(i).completionAddress === this.rec.completionPa) return i;
    return undefined;
  }

  hw(): ChannelSnapshot | undefined {
    const i = this.hwIndex();
    return i === undefined ? undefined : this.m.engineOf(this.dev).channelSnapshot(i);
  }

  ownsDescriptor(pa: bigint): boolean {
    return pa >= this.ring && pa < this.ring + BigInt(RING_SLOTS * NET_DMA_DESCRIPTOR_SIZE);
  }

  slotsLeft(): number {
    return RING_SLOTS - this.#slot - 1;
  }

  nextSlot(): bigint {
    return this.ring + BigInt(this.#slot * NET_DMA_DESCRIPTOR_SIZE);
  }

  takeSlot(): bigint {
    const pa = this.nextSlot();
    this.#slot++;
    return pa;
  }

  cpuWrite(pa: bigint, bytes: Uint8Array): void {
    this.m.memory.write(pa, bytes);
    this.ops.push({ op: 'cpu-write', pa, bytes: bytes.slice() });
  }
}

/**
 * Memory NetDMA hands the provider (descriptors, copy buffers, completion words): wherever the
 * machine's memory lies (above 4 GiB on some machines), but never above the MaximumAddressSpace the
 * provider declared in NetDmaProviderStart. Throws a HarnessError when nothing fits (no provider of
 * the suite declares less than the memory below 4 GiB).
 */
export function clientAllocation(m: ClientMachine, prov: ProviderRecord, size: number, alignment: number): bigint {
  const max = prov.attributes?.MaximumAddressSpace;
  const highest = typeof max === 'bigint' && max > 0n ? max : 0xffff_ffffn;
  const pa = m.memory.allocateContiguousBelow(size, alignment, highest);
  if (pa === null) throw m.harnessFailed(new HarnessError('NetDMA client allocation', `no physical memory at or below the provider's MaximumAddressSpace 0x${highest.toString(16)} for ${size} bytes`));
  return pa;
}
