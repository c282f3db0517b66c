/**
 * The channel data path: one `step` processes exactly one descriptor, atomically.
 *
 * A step, in order:
 * 1. **Resolve the address.** `fetch` cursor: the known address. `reread` cursor: read the
 *    NextDescriptor field of the last completed descriptor now (re-reading picks up a patched
 *    tail or a list edit); in linked mode a 0 there ends the step as `idle` (state idle, no
 *    completion write, no fetch).
 * 2. **Fetch** (assigns the fetch ordinal, sets CDAR): not 64-byte aligned → CHANERR 0x8;
 *    not 64 allocated bytes → 0x4.
 * 3. **Validate**, first failure wins, nothing written yet:
 *    descriptor control 0x400 (ControlFlags bits outside NET_DMA_DEFINED_FLAGS_MASK, an op
 *    type other than 0x00/0xFF, or — standard non-NULL descriptors — a page-break flag whose
 *    Next*Address has low 12 bits set); length 0x800 (standard non-NULL, TransferSize above
 *    2^XFERCAP when XFERCAP ≠ 0); source 0x1 then destination 0x2 (standard non-NULL with
 *    TransferSize > 0: every segment must lie inside one allocation).
 * 4. **Move data.** Context change (op type 0xFF): DCA target := TransferSize & 0xFF (an
 *    engine without DCA completes it without retargeting anything).
 *    NULL_TRANSFER: nothing, addresses and size not examined. TransferSize 0 (not NULL): no
 *    data and no address checks (an empty range addresses no memory) but the descriptor
 *    completes normally (FACTS F38). Otherwise the copy: one typed-array `set` for an
 *    unbroken transfer; with a page break the source is gathered first, then scattered, so
 *    every descriptor reads all its source bytes before writing any destination byte.
 *    Page break: the first segment runs from the address to the end of its 4 KiB page, the
 *    rest starts at Next*Address and must lie in one allocation (it may be longer than a page).
 * 5. **Complete.** More work remains when (linked) the fetched NextDescriptor ≠ 0 or
 *    (counted) completed count + 1 ≠ DMACOUNT. With STATUS_UPDATE_ON_COMPLETION the word
 *    `PA | Active/Idle` goes to CHANCMP (unusable CHANCMP → 0x1000 halt, the data stays
 *    copied). Then the counters, CHANSTS (PA | state) and the cursor (the fetched
 *    NextDescriptor) are updated and, last, the interrupt is requested, so an interrupt
 *    handler that runs inside `raiseInterrupt` sees the finished state.
 *
 * **Prefetch** (issue 13; Linux drivers/dma/ioat and FreeBSD ioat never assume the engine reads a
 * descriptor only when it executes it: v1 needs CHANCMD APPEND, v2+ a DMACOUNT write, to make it
 * re-read a tail it already fetched). An engine has a prefetch depth d (0 by default). With d > 0,
 * whenever a chain starts and after every completed descriptor the engine fetches up to d
 * descriptors ahead of the one it processes next, following the NextDescriptor values it reads
 * (linked: up to a 0; counted: not beyond DMACOUNT; it stops at an address that is not 64-byte
 * aligned or not allocated, which the step reports when it gets there), and CDAR names the last
 * one fetched — ahead of the CHANSTS completed-descriptor field. A prefetched descriptor is
 * processed with the NextDescriptor value read at its fetch: a tail read as 0 stays the end of
 * the chain although the driver linked more, until APPEND (linked) or a DMACOUNT change
 * (counted) empties the window and the engine re-reads from memory. RESUME, ABORT and RESET
 * empty it too. The other fields of a prefetched descriptor are read when it is processed (the
 * simulation's only difference from a whole-descriptor prefetch; NetDMA edits only
 * NextDescriptor of a submitted descriptor, and only through APPEND or a suspended channel).
 *
 * Any failure halts the channel through {@link haltOnError}. SERIALIZE_TRANSFER needs no
 * action: the copy and the completion write of a descriptor finish inside its step, before
 * any later step reads data.
 *
 * Why this file is over 400 lines: the plain-copy fast path (`stepPlainCopy`) and the general
 * path must agree step for step (the engine property holds both to the model); they stay side by
 * side so that a change to one is read next to the other.
 *
 * @module
 */
import type { ChannelRegs } from './channel';
import type { EngineContext } from './context';
import { completionText, chanerrName } from './events';
import type { CompletedDescriptorFields, CompletionWrite, EngineStepEvent, Segment } from './events';
import { forcesError, isStalled, losesInterrupt } from './faults';
import type { FaultContext, FaultPlan } from './faults';
import {
  completionWord,
  decodeDescriptorView,
  describeControlFlags,
  NET_DMA_DEFINED_FLAGS_MASK,
  NET_DMA_DESCRIPTOR_OFFSETS,
  NET_DMA_DESCRIPTOR_SIZE,
  NET_DMA_DESTINATION_DCA_ENABLE,
  NET_DMA_DESTINATION_NO_SNOOP,
  NET_DMA_DESTINATION_PAGE_BREAK,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_OP_TYPE_CONTEXT_CHANGE,
  NET_DMA_OP_TYPE_MASK,
  NET_DMA_OP_TYPE_STANDARD_DMA,
  NET_DMA_PAGE_SIZE,
  NET_DMA_SERIALIZE_TRANSFER,
  NET_DMA_SOURCE_NO_SNOOP,
  NET_DMA_SOURCE_PAGE_BREAK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  NetDmaTransferStatusActive,
  NetDmaTransferStatusIdle,
} from './hw';
import type { NetDmaDescriptor, NetDmaTransferStatus } from './hw';
import { hex } from './memory';
import { CHANERR } from './registers';
import type { ChannelState, ChannelStateName } from './registers';
import type { InterruptOutcome } from './interrupts';
import { completionAddressValid, haltOnError, writeCompletion } from './status';
import { completionDcaTarget } from './channel';
import type { MemoryBlock } from './memory';

/** How a descriptor is treated, from its op type and flags. */
export type DescriptorKind = 'context-change' | 'null' | 'copy';

/** Classifies a descriptor (op type first, then NULL_TRANSFER). */
export function descriptorKind(d: NetDmaDescriptor): DescriptorKind {
  if ((d.ControlFlags & NET_DMA_OP_TYPE_MASK) >>> 0 === NET_DMA_OP_TYPE_CONTEXT_CHANGE) return 'context-change';
  return (d.ControlFlags & NET_DMA_NULL_TRANSFER) !== 0 ? 'null' : 'copy';
}

/** True when ControlFlags hold only defined bits and op type 0x00 or 0xFF. */
export function controlFlagsValid(flags: number): boolean {
  const op = (flags & NET_DMA_OP_TYPE_MASK) >>> 0;
  if (op !== NET_DMA_OP_TYPE_STANDARD_DMA && op !== NET_DMA_OP_TYPE_CONTEXT_CHANGE) return false;
  return (flags & ~NET_DMA_OP_TYPE_MASK & ~NET_DMA_DEFINED_FLAGS_MASK) === 0;
}

/** The physical segments of one side of a transfer (one, or two with a page break that is crossed). */
export function transferSegments(address: bigint, nextAddress: bigint, size: number, pageBreak: boolean): Segment[] {
  if (!pageBreak) return [{ pa: address, length: size }];
  const first = Math.min(size, NET_DMA_PAGE_SIZE - Number(address & BigInt(NET_DMA_PAGE_SIZE - 1)));
  return first === size ? [{ pa: address, length: size }] : [{ pa: address, length: first }, { pa: nextAddress, length: size - first }];
}

/** Empties the prefetch window of `ch` (the engine re-reads the descriptors from memory). */
export function flushPrefetch(ch: ChannelRegs): void {
  ch.aheadCount = 0;
  ch.aheadHead = 0;
}

/**
 * Fills the prefetch window of an active channel whose next descriptor address is known (see the
 * module comment, *Prefetch*). Allocates nothing: the window's arrays are the channel's own and
 * addresses exact as numbers reuse the memoized bigints of {@link addressBigint}.
 */
export function prefetchAhead(ctx: EngineContext, ch: ChannelRegs): void {
  const depth = ch.aheadPa.length;
  if (depth === 0 || ch.aheadCount >= depth || ch.state.kind !== 'active' || ch.resetPending) return;
  const cursor = ch.cursor;
  if (cursor.kind !== 'fetch') return;
  let candidate = ch.aheadCount === 0 ? cursor.pa : ch.aheadNext[(ch.aheadHead + ch.aheadCount - 1) % depth]!;
  const remaining = ch.mode === 'counted' ? (ch.dmaCount - ch.completedCount) & 0xffff : Number.POSITIVE_INFINITY;
  while (ch.aheadCount < depth && ch.aheadCount < remaining) {
    if (candidate === 0n || candidate > MAX_SAFE_PA || (candidate & 0x3fn) !== 0n) return;
    const p = Number(candidate);
    const block = ctx.memory.numericBlock(p, NET_DMA_DESCRIPTOR_SIZE);
    if (block === undefined) return;
    const o = p - block.paNum + NET_DMA_DESCRIPTOR_OFFSETS.NextDescriptor;
    const high = block.data.getUint32(o + 4, true);
    const low = block.data.getUint32(o, true);
    const next = high <= MAX_SAFE_HIGH ? addressBigint(high * TWO_32 + low) : (BigInt(high) << 32n) | BigInt(low);
    const slot = (ch.aheadHead + ch.aheadCount) % depth;
    ch.aheadPa[slot] = candidate;
    ch.aheadNext[slot] = next;
    ch.aheadCount++;
    ch.cdar = candidate;
    candidate = next;
  }
}

/**
 * The NextDescriptor value read when descriptor `pa` was prefetched, or `undefined` when `pa` is
 * not the oldest prefetched descriptor (then the window is emptied: the engine fetches anew).
 */
function prefetchedNext(ch: ChannelRegs, pa: bigint): bigint | undefined {
  if (ch.aheadCount === 0) return undefined;
  if (ch.aheadPa[ch.aheadHead] === pa) return ch.aheadNext[ch.aheadHead];
  flushPrefetch(ch);
  return undefined;
}

/** Drops the oldest prefetched descriptor (it completed) and fetches further ahead. */
function advancePrefetch(ctx: EngineContext, ch: ChannelRegs, wasPrefetched: boolean): void {
  const depth = ch.aheadPa.length;
  if (depth === 0) return;
  if (wasPrefetched && ch.aheadCount > 0) {
    ch.aheadHead = (ch.aheadHead + 1) % depth;
    ch.aheadCount--;
  }
  prefetchAhead(ctx, ch);
}

/** True when the channel can make progress now. */
export function channelRunnable(ctx: EngineContext, ch: ChannelRegs): boolean {
  return runnableUnder(ctx.faults(), ch);
}

/** {@link channelRunnable} under fault plan `plan` (an empty plan stalls nothing: not even consulted). */
function runnableUnder(plan: FaultPlan, ch: ChannelRegs): boolean {
  return ch.state.kind === 'active' && !ch.resetPending && (plan.rules.length === 0 || !isStalled(plan, ch.index, ch.fetchOrdinal));
}

/** True when every segment lies inside one allocation (a loop: no closure per step). */
function segmentsAllocated(ctx: EngineContext, segs: readonly Segment[]): boolean {
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (!ctx.memory.isAllocated(s.pa, s.length)) return false;
  }
  return true;
}

const ACTIVE: ChannelState = Object.freeze({ kind: 'active' });
const IDLE: ChannelState = Object.freeze({ kind: 'idle' });
const NO_SEGMENTS: readonly Segment[] = Object.freeze([]);

/**
 * Advances `ch` by one descriptor; `undefined` when it cannot make progress.
 *
 * Hot path (this runs once per descriptor): fault rules are consulted only when the plan
 * has any (an empty plan forces nothing, so the checks are skipped rather than evaluated),
 * and the event's `text` is built on first read (a memoized getter), not on every step.
 */
export function stepChannel(ctx: EngineContext, ch: ChannelRegs): EngineStepEvent | undefined {
  const plan = ctx.faults();
  if (!runnableUnder(plan, ch)) return undefined;
  const injecting = plan.rules.length !== 0;
  const { memory } = ctx;
  const cursor = ch.cursor;
  let pa: bigint;
  let paNumber = Number.NaN;
  if (cursor.kind === 'reread') {
    const nextField = cursor.after + BigInt(NET_DMA_DESCRIPTOR_OFFSETS.NextDescriptor);
    if (!memory.isAllocated(nextField, 8)) return fail(ctx, ch, cursor.after, undefined, CHANERR.NEXT_DESC_ADDR, false);
    pa = memory.readU64(nextField);
    if (ch.mode === 'linked' && pa === 0n) {
      ch.state = IDLE;
      return { kind: 'idle', ch: ch.index, afterPa: cursor.after, text: `ch${ch.index} re-read NextDescriptor of ${hex(cursor.after)}: 0, idle` };
    }
  } else if (cursor.kind === 'fetch') {
    pa = cursor.pa;
    if (cursor.paNumber !== undefined) paNumber = cursor.paNumber;
  } else {
    throw new Error(`channel ${ch.index} is active without a cursor`);
  }

  const cachedNext = prefetchedNext(ch, pa);
  if (!injecting && ctx.fastPath) {
    const quick = stepPlainCopy(ctx, ch, pa, paNumber, cachedNext);
    if (quick !== undefined) return quick;
  }
  const ordinal = ch.fetchOrdinal++;
  if (cachedNext === undefined) ch.cdar = pa;
  // With no fault rules nothing can be forced: skip building the fault contexts.
  const fetchCtx: FaultContext | undefined = injecting ? { channel: ch.index, ordinal, descriptorPa: pa } : undefined;

  if (fetchCtx !== undefined && forcesError(plan, 'next-descriptor-alignment', fetchCtx)) return fail(ctx, ch, pa, ordinal, CHANERR.NEXT_DESC_ALIGN, true);
  if ((pa & 0x3fn) !== 0n) return fail(ctx, ch, pa, ordinal, CHANERR.NEXT_DESC_ALIGN, false);
  if (fetchCtx !== undefined && forcesError(plan, 'next-descriptor-address', fetchCtx)) return fail(ctx, ch, pa, ordinal, CHANERR.NEXT_DESC_ADDR, true);
  const at = memory.dataViewIfAllocated(pa, NET_DMA_DESCRIPTOR_SIZE);
  if (at === undefined) return fail(ctx, ch, pa, ordinal, CHANERR.NEXT_DESC_ADDR, false);

  const d = decodeDescriptorView(at.data, at.offset);
  const dctx: FaultContext | undefined = fetchCtx !== undefined ? { ...fetchCtx, descriptor: d } : undefined;
  const flags = d.ControlFlags;
  const kind = descriptorKind(d);
  const size = d.TransferSize;
  const moves = kind === 'copy' && size > 0;
  const srcBreak = (flags & NET_DMA_SOURCE_PAGE_BREAK) !== 0;
  const dstBreak = (flags & NET_DMA_DESTINATION_PAGE_BREAK) !== 0;

  // Validation: nothing is written before all checks pass.
  if (dctx !== undefined && forcesError(plan, 'descriptor-control', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.DESC_CONTROL, true);
  const pageBreakMisaligned =
    kind === 'copy' &&
    ((srcBreak && (d.NextSourceAddress & 0xfffn) !== 0n) || (dstBreak && (d.NextDestinationAddress & 0xfffn) !== 0n));
  if (!controlFlagsValid(flags) || pageBreakMisaligned) return fail(ctx, ch, pa, ordinal, CHANERR.DESC_CONTROL, false);
  if (dctx !== undefined && forcesError(plan, 'length', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.LENGTH, true);
  if (kind === 'copy' && ctx.xfercapLog2 !== 0 && size > 2 ** ctx.xfercapLog2) {
    return fail(ctx, ch, pa, ordinal, CHANERR.LENGTH, false);
  }
  const source = moves ? transferSegments(d.SourceAddress, d.NextSourceAddress, size, srcBreak) : NO_SEGMENTS;
  const destination = moves ? transferSegments(d.DestinationAddress, d.NextDestinationAddress, size, dstBreak) : NO_SEGMENTS;
  if (dctx !== undefined && forcesError(plan, 'source-address', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.SRC_ADDR, true);
  if (!segmentsAllocated(ctx, source)) return fail(ctx, ch, pa, ordinal, CHANERR.SRC_ADDR, false);
  if (dctx !== undefined && forcesError(plan, 'destination-address', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.DEST_ADDR, true);
  if (!segmentsAllocated(ctx, destination)) return fail(ctx, ch, pa, ordinal, CHANERR.DEST_ADDR, false);
  if (dctx !== undefined && forcesError(plan, 'read-data', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.READ_DATA, true);
  if (dctx !== undefined && forcesError(plan, 'write-data', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.WRITE_DATA, true);

  // Data movement.
  if (moves) copySegments(ctx, source, destination, size);
  if (kind === 'context-change' && ctx.dca) ch.dcaApicId = size & 0xff;

  // Completion.
  const completed = (ch.completedCount + 1) & 0xffff;
  const nextDescriptor = cachedNext ?? d.NextDescriptor;
  const more = ch.mode === 'linked' ? nextDescriptor !== 0n : completed !== ch.dmaCount;
  const status = more ? NetDmaTransferStatusActive : NetDmaTransferStatusIdle;
  const wantsStatus = (flags & NET_DMA_STATUS_UPDATE_ON_COMPLETION) !== 0;
  if (dctx !== undefined && forcesError(plan, 'completion-address', dctx)) return fail(ctx, ch, pa, ordinal, CHANERR.COMPLETION_ADDR, true);
  if (wantsStatus && !completionAddressValid(ctx, ch)) return fail(ctx, ch, pa, ordinal, CHANERR.COMPLETION_ADDR, false);
  const completionWrite: CompletionWrite | undefined = wantsStatus ? writeCompletion(ctx, ch, pa, status) : undefined;
  ch.completedCount = completed;
  ch.runLast = pa;
  ch.runLastWantedStatus = wantsStatus;
  ch.statusAddress = pa;
  ch.cursor = { kind: 'fetch', pa: nextDescriptor };
  ch.state = more ? ACTIVE : IDLE;
  advancePrefetch(ctx, ch, cachedNext !== undefined);
  const interrupt =
    (flags & NET_DMA_INTERRUPT_ON_COMPLETION) !== 0 ? ctx.interrupts.request(ch, dctx !== undefined && losesInterrupt(plan, dctx)) : 'none';

  const state = ch.state.kind;
  const serialize = (flags & NET_DMA_SERIALIZE_TRANSFER) !== 0;
  if (kind === 'copy') {
    const dcaRequested = (flags & NET_DMA_DESTINATION_DCA_ENABLE) !== 0;
    const dcaTarget = dcaRequested ? ch.dcaApicId : undefined;
    return new CopiedStep(ch.index, pa, ordinal, flags, status, completionWrite, interrupt, serialize, state, moves ? size : 0, source, destination, dcaRequested, dcaTarget);
  }
  if (kind === 'null') return new NullStep(ch.index, pa, ordinal, flags, status, completionWrite, interrupt, serialize, state);
  return new ContextChangeStep(ch.index, pa, ordinal, flags, status, completionWrite, interrupt, serialize, state, size & 0xff);
}

/** ControlFlags the plain-copy path handles: no op type, no NULL transfer, no page break. */
const PLAIN_COPY_FLAGS =
  NET_DMA_INTERRUPT_ON_COMPLETION |
  NET_DMA_SOURCE_NO_SNOOP |
  NET_DMA_DESTINATION_NO_SNOOP |
  NET_DMA_STATUS_UPDATE_ON_COMPLETION |
  NET_DMA_SERIALIZE_TRANSFER |
  NET_DMA_DESTINATION_DCA_ENABLE;
const TWO_32 = 2 ** 32;
/** High words above this make an address larger than 2^53 - 1 (not exact as a number). */
const MAX_SAFE_HIGH = 0x1f_ffff;
const MAX_SAFE_PA = BigInt(Number.MAX_SAFE_INTEGER);

/** Slots of the {@link addressBigint} memo (direct-mapped by 64-byte line). */
const ADDRESS_MEMO_SLOTS = 1024;
const addressMemoKeys = new Float64Array(ADDRESS_MEMO_SLOTS).fill(-1);
const addressMemoValues: bigint[] = new Array<bigint>(ADDRESS_MEMO_SLOTS).fill(0n);

/**
 * `BigInt(p)` for a descriptor address `p` (a safe integer), memoized: a chain's NextDescriptor
 * values repeat (rings are reused), and allocating a bigint per step cost more than the rest of
 * a small descriptor's bookkeeping. A pure function: the memo maps a number to its own bigint.
 */
function addressBigint(p: number): bigint {
  const slot = (p / NET_DMA_DESCRIPTOR_SIZE) & (ADDRESS_MEMO_SLOTS - 1);
  if (addressMemoKeys[slot] === p) return addressMemoValues[slot]!;
  const big = BigInt(p);
  addressMemoKeys[slot] = p;
  addressMemoValues[slot] = big;
  return big;
}

/**
 * The plain-copy path: a step for the descriptor the data path sees most — a standard copy
 * of TransferSize > 0 bytes without page breaks, every address (descriptor, source,
 * destination, CHANCMP) valid and exact as a number, no fault plan. It does what
 * {@link stepChannel} does for such a descriptor, with number arithmetic instead of bigints
 * and without building the descriptor record, the segment lists or the completion record
 * (the event builds them when read). `paNumber` is `pa` as a number when the cursor carries
 * it (NaN otherwise).
 *
 * It returns `undefined`, having changed nothing, as soon as the descriptor is anything else
 * (an error, NULL, a context change, a page break, a length above XFERCAP, an unusable
 * CHANCMP): {@link stepChannel} then takes the general path, which decides every case. The
 * engine property (properties/engine.test.ts) holds both paths to the same model, and
 * `fastPath: false` turns this one off.
 */
function stepPlainCopy(ctx: EngineContext, ch: ChannelRegs, pa: bigint, paNumber: number, cachedNext: bigint | undefined): EngineStepEvent | undefined {
  let p = paNumber;
  if (Number.isNaN(p)) {
    if (pa > MAX_SAFE_PA) return undefined;
    p = Number(pa);
  }
  // Bit operations see p modulo 2^32 (exact low bits for an integer up to 2^53); `%` on a
  // number that large is a floating-point fmod, several times slower.
  if ((p & (NET_DMA_DESCRIPTOR_SIZE - 1)) !== 0) return undefined;
  const { memory } = ctx;
  const db = memory.numericBlock(p, NET_DMA_DESCRIPTOR_SIZE);
  if (db === undefined) return undefined;
  const v = db.data;
  const o = p - db.paNum;
  const size = v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.TransferSize, true);
  const flags = v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags, true);
  if ((flags & ~PLAIN_COPY_FLAGS) !== 0 || size === 0) return undefined;
  if (ctx.xfercapLog2 !== 0 && size > 2 ** ctx.xfercapLog2) return undefined;
  const srcHigh = v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.SourceAddress + 4, true);
  const dstHigh = v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.DestinationAddress + 4, true);
  const nextHigh = v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.NextDescriptor + 4, true);
  if (srcHigh > MAX_SAFE_HIGH || dstHigh > MAX_SAFE_HIGH || nextHigh > MAX_SAFE_HIGH) return undefined;
  const src = srcHigh * TWO_32 + v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.SourceAddress, true);
  const dst = dstHigh * TWO_32 + v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.DestinationAddress, true);
  if (cachedNext !== undefined && cachedNext > MAX_SAFE_PA) return undefined;
  // A prefetched descriptor goes on with the NextDescriptor read at its fetch (module comment, *Prefetch*).
  const next = cachedNext !== undefined ? Number(cachedNext) : nextHigh * TWO_32 + v.getUint32(o + NET_DMA_DESCRIPTOR_OFFSETS.NextDescriptor, true);
  const sb = memory.numericBlock(src, size);
  if (sb === undefined) return undefined;
  const tb = memory.numericBlock(dst, size);
  if (tb === undefined) return undefined;
  const wantsStatus = (flags & NET_DMA_STATUS_UPDATE_ON_COMPLETION) !== 0;
  let cmp = 0;
  let cb: MemoryBlock | undefined;
  if (wantsStatus) {
    const chancmp = ch.chancmp;
    if (chancmp > MAX_SAFE_PA) return undefined;
    cmp = Number(chancmp);
    if ((cmp & 0x3f) !== 0) return undefined;
    cb = memory.numericBlock(cmp, 8);
    if (cb === undefined) return undefined;
  }

  // Every check passed: the step completes (nothing above changed any state).
  const ordinal = ch.fetchOrdinal++;
  const so = src - sb.paNum;
  if (sb.chunk === tb.chunk) {
    // One backing chunk: memmove inside it (overlap-safe), no view object.
    const from = sb.base + so;
    tb.chunk.copyWithin(tb.base + (dst - tb.paNum), from, from + size);
  } else {
    tb.bytes.set(sb.bytes.subarray(so, so + size), dst - tb.paNum);
  }
  memory.writeLog.recordNumeric(dst, size, 1);
  const completed = (ch.completedCount + 1) & 0xffff;
  const more = ch.mode === 'linked' ? next !== 0 : completed !== ch.dmaCount;
  const status = more ? NetDmaTransferStatusActive : NetDmaTransferStatusIdle;
  let dcaHint: number | undefined;
  if (cb !== undefined) {
    // (pa & ~0x3F) | status, with pa 64-byte aligned: the low word cannot carry.
    const co = cmp - cb.paNum;
    cb.data.setUint32(co, (p >>> 0) + status, true);
    cb.data.setUint32(co + 4, Math.floor(p / TWO_32), true);
    memory.writeLog.recordNumeric(cmp, 8, 1);
    dcaHint = completionDcaTarget(ch);
  }
  if (cachedNext === undefined) ch.cdar = pa;
  ch.completedCount = completed;
  ch.runLast = pa;
  ch.runLastWantedStatus = wantsStatus;
  ch.statusAddress = pa;
  ch.cursor = { kind: 'fetch', pa: addressBigint(next), paNumber: next };
  ch.state = more ? ACTIVE : IDLE;
  advancePrefetch(ctx, ch, cachedNext !== undefined);
  const interrupt = (flags & NET_DMA_INTERRUPT_ON_COMPLETION) !== 0 ? ctx.interrupts.request(ch, false) : 'none';
  const dcaTarget = (flags & NET_DMA_DESTINATION_DCA_ENABLE) !== 0 ? ch.dcaApicId : undefined;
  return new PlainCopiedStep(ch.index, pa, ordinal, flags, status, wantsStatus ? ch.chancmp : undefined, dcaHint, interrupt, ch.state.kind, size, src, dst, dcaTarget);
}

type CopiedEvent = Extract<EngineStepEvent, { kind: 'copied' }>;
type NullEvent = Extract<EngineStepEvent, { kind: 'null' }>;
type ContextChangeEvent = Extract<EngineStepEvent, { kind: 'context-change' }>;

/**
 * Fields shared by completed-descriptor events. The events are class instances so that the
 * trace line (`text`) is a memoized prototype getter, built only when someone reads it: an
 * object literal with an accessor costs hundreds of nanoseconds per step in V8, and formatting
 * the line (hex addresses, flag names) costs more than a small copy. Every other field is an
 * own data property, as before.
 */
abstract class CompletedStep {
  #text: string | undefined;
  constructor(
    readonly ch: number,
    readonly descriptorPa: bigint,
    readonly ordinal: number,
    readonly controlFlags: number,
    readonly status: NetDmaTransferStatus,
    readonly completionWrite: CompletionWrite | undefined,
    readonly interrupt: InterruptOutcome | 'none',
    readonly serialize: boolean,
    readonly state: ChannelStateName,
  ) {}

  /** The one-line trace text, e.g. `ch0 desc#3 @0x10002000 copy 64 B ...`. */
  get text(): string {
    return (this.#text ??= stepText(this, this.body()));
  }

  protected abstract body(): string;
}

class CopiedStep extends CompletedStep implements CopiedEvent {
  readonly kind = 'copied' as const;
  constructor(
    ch: number,
    descriptorPa: bigint,
    ordinal: number,
    controlFlags: number,
    status: NetDmaTransferStatus,
    completionWrite: CompletionWrite | undefined,
    interrupt: InterruptOutcome | 'none',
    serialize: boolean,
    state: ChannelStateName,
    readonly bytes: number,
    readonly source: readonly Segment[],
    readonly destination: readonly Segment[],
    readonly dcaRequested: boolean,
    readonly dcaTarget: number | undefined,
  ) {
    super(ch, descriptorPa, ordinal, controlFlags, status, completionWrite, interrupt, serialize, state);
  }

  protected body(): string {
    return copyBody(this);
  }
}

class NullStep extends CompletedStep implements NullEvent {
  readonly kind = 'null' as const;
  protected body(): string {
    return 'NULL';
  }
}

class ContextChangeStep extends CompletedStep implements ContextChangeEvent {
  readonly kind = 'context-change' as const;
  constructor(
    ch: number,
    descriptorPa: bigint,
    ordinal: number,
    controlFlags: number,
    status: NetDmaTransferStatus,
    completionWrite: CompletionWrite | undefined,
    interrupt: InterruptOutcome | 'none',
    serialize: boolean,
    state: ChannelStateName,
    readonly apicId: number,
  ) {
    super(ch, descriptorPa, ordinal, controlFlags, status, completionWrite, interrupt, serialize, state);
  }

  protected body(): string {
    return `context change DCA APIC ${this.apicId}`;
  }
}

/**
 * The event of {@link stepPlainCopy}: the same fields as a general-path `copied` event, with
 * the segment lists, the completion record and the trace text built on first read.
 */
class PlainCopiedStep implements CopiedEvent {
  readonly kind = 'copied' as const;
  /** What the getters built, on first read (one field, so that the event stays small). */
  #built: { source?: readonly Segment[]; destination?: readonly Segment[]; completionWrite?: CompletionWrite; text?: string } | undefined;
  constructor(
    readonly ch: number,
    readonly descriptorPa: bigint,
    readonly ordinal: number,
    readonly controlFlags: number,
    readonly status: NetDmaTransferStatus,
    /** CHANCMP when the word was written. */
    private readonly completionAddress: bigint | undefined,
    private readonly completionHint: number | undefined,
    readonly interrupt: InterruptOutcome | 'none',
    readonly state: ChannelStateName,
    readonly bytes: number,
    private readonly src: number,
    private readonly dst: number,
    readonly dcaTarget: number | undefined,
  ) {}

  get serialize(): boolean {
    return (this.controlFlags & NET_DMA_SERIALIZE_TRANSFER) !== 0;
  }

  get dcaRequested(): boolean {
    return (this.controlFlags & NET_DMA_DESTINATION_DCA_ENABLE) !== 0;
  }

  get source(): readonly Segment[] {
    return ((this.#built ??= {}).source ??= [{ pa: BigInt(this.src), length: this.bytes }]);
  }

  get destination(): readonly Segment[] {
    return ((this.#built ??= {}).destination ??= [{ pa: BigInt(this.dst), length: this.bytes }]);
  }

  get completionWrite(): CompletionWrite | undefined {
    if (this.completionAddress === undefined) return undefined;
    return ((this.#built ??= {}).completionWrite ??= { address: this.completionAddress, word: completionWord(this.descriptorPa, this.status), dcaTarget: this.completionHint });
  }

  get text(): string {
    return ((this.#built ??= {}).text ??= stepText(this, copyBody(this)));
  }
}

/** The trace line of a completed descriptor around its `body`. */
function stepText(e: CompletedDescriptorFields, body: string): string {
  return `ch${e.ch} desc#${e.ordinal} @${hex(e.descriptorPa)} ${body} ${completionText(e.status, e.completionWrite, e.interrupt, e.controlFlags)}`;
}

/** The body of a copy's trace line: size, route and DCA hint. */
function copyBody(e: CopiedEvent): string {
  const route = e.bytes > 0 ? `${segText(e.source)} -> ${segText(e.destination)}` : 'zero-length';
  const dca = e.dcaRequested ? ` DCA->${e.dcaTarget === undefined ? 'none' : `APIC ${e.dcaTarget}`}` : '';
  return `copy ${e.bytes} B ${route}${dca}`;
}

/** Copies `size` bytes from the source segments to the destination segments. */
function copySegments(ctx: EngineContext, source: readonly Segment[], destination: readonly Segment[], size: number): void {
  const { memory } = ctx;
  if (source.length === 1 && destination.length === 1) {
    // The hot path: one typed-array set (memmove semantics if the ranges overlap).
    memory.write(destination[0]!.pa, memory.view(source[0]!.pa, size), 'dma');
    return;
  }
  const data = new Uint8Array(size);
  let at = 0;
  for (const s of source) {
    data.set(memory.view(s.pa, s.length), at);
    at += s.length;
  }
  at = 0;
  for (const s of destination) {
    memory.write(s.pa, data.subarray(at, at + s.length), 'dma');
    at += s.length;
  }
}

function fail(
  ctx: EngineContext,
  ch: ChannelRegs,
  pa: bigint,
  ordinal: number | undefined,
  bit: number,
  injected: boolean,
): EngineStepEvent {
  const { completionWrite, interrupt } = haltOnError(ctx, ch, pa, bit);
  const errorName = chanerrName(bit);
  const extra = [
    injected ? 'injected' : undefined,
    completionWrite ? `CHANCMP@${hex(completionWrite.address)} <- ${hex(completionWrite.word)}` : undefined,
    interrupt !== 'none' ? `interrupt ${interrupt}` : undefined,
  ].filter((x) => x !== undefined);
  return {
    kind: 'error',
    ch: ch.index,
    descriptorPa: pa,
    ordinal,
    chanerr: bit,
    errorName,
    injected,
    completionWrite,
    interrupt,
    text: `ch${ch.index}${ordinal === undefined ? '' : ` desc#${ordinal}`} @${hex(pa)} CHANERR 0x${bit.toString(16)} ${errorName}, halted${extra.length ? ` (${extra.join(', ')})` : ''}`,
  };
}

function segText(segs: readonly Segment[]): string {
  return segs.map((s) => `${hex(s.pa)}+${s.length}`).join(',');
}

/** Renders a descriptor for traces. */
export function describeDescriptor(d: NetDmaDescriptor): string {
  return `{size ${d.TransferSize}, flags ${describeControlFlags(d.ControlFlags)}, src ${hex(d.SourceAddress)}, dst ${hex(d.DestinationAddress)}, next ${hex(d.NextDescriptor)}}`;
}
