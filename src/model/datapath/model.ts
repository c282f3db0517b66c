/**
 * The data-path oracle: a pure, independent model of one engine channel.
 *
 * `runDatapath(config, memory, ops)` folds the operations over an immutable model state
 * and returns everything observable: descriptors processed in order, memory after each
 * one and after each operation, completion words, interrupts, what each SUSPEND reports,
 * DMA write ranges and the register-visible state.
 *
 * It encodes the same documented semantics as the engine (src/hardware/commands.ts and
 * dma.ts) but shares no code with it except the constants of hw.ts and registers.ts.
 *
 * @module
 */
import {
  NET_DMA_COMPLETION_ADDRESS_MASK,
  NET_DMA_DEFINED_FLAGS_MASK,
  NET_DMA_DESCRIPTOR_OFFSETS as OFF,
  NET_DMA_DESTINATION_PAGE_BREAK,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_OP_TYPE_CONTEXT_CHANGE,
  NET_DMA_OP_TYPE_MASK,
  NET_DMA_PAGE_SIZE,
  NET_DMA_SOURCE_PAGE_BREAK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
} from '../../hardware/hw';
import { CHANCMD, CHANCTRL, CHANERR, CHANNEL_STATE_CODE } from '../../hardware/registers';
import { modelContains, modelRead, modelReadU32, modelReadU64, modelWrite, modelWriteU64 } from './memory';
import type { ModelMemory } from './memory';
import type { DatapathConfig, DatapathEvent, DatapathOp, DatapathRegisters, DatapathResult, DatapathWrite, ProcessedDescriptor } from './types';

type Phase = 'armed' | 'active' | 'idle' | 'suspended' | 'aborted' | 'failed';
type Command = 'start' | 'append' | 'suspend' | 'resume' | 'abort' | 'reset';

/** Where the next descriptor comes from: a known address, or the NextDescriptor of `after` read at the next step. */
type Next = { readonly at: bigint } | { readonly after: bigint } | null;

interface ModelState {
  readonly mem: ModelMemory;
  readonly phase: Phase;
  readonly mode: 'none' | 'linked' | 'counted';
  readonly next: Next;
  /** Last descriptor completed since the latest start and whether it asked for a status write. */
  readonly last: { readonly pa: bigint; readonly wantedStatus: boolean } | null;
  readonly stsAddr: bigint;
  readonly chanctrl: number;
  readonly master: boolean;
  readonly chainAddr: bigint;
  readonly chainArmed: boolean;
  readonly chancmp: bigint;
  readonly dmacount: number;
  readonly done: number;
  readonly cdar: bigint;
  readonly chanerr: number;
  readonly chanerrMask: number;
  readonly irqPending: boolean;
  readonly dca: number | undefined;
  /** Descriptors fetched ahead, oldest first, with the NextDescriptor read at their fetch. */
  readonly ahead: ReadonlyArray<{ readonly pa: bigint; readonly next: bigint }>;
}

/** The states in which each command is accepted. */
const ACCEPTS: Readonly<Record<Command, readonly Phase[]>> = {
  start: ['armed', 'idle', 'aborted'],
  append: ['active', 'idle', 'suspended'],
  suspend: ['active', 'idle'],
  resume: ['suspended'],
  abort: ['armed', 'active', 'idle', 'suspended', 'aborted', 'failed'],
  reset: ['armed', 'active', 'idle', 'suspended', 'aborted', 'failed'],
};

const COMMAND_BITS: ReadonlyArray<readonly [number, Command]> = [
  [CHANCMD.START, 'start'],
  [CHANCMD.APPEND, 'append'],
  [CHANCMD.SUSPEND, 'suspend'],
  [CHANCMD.ABORT, 'abort'],
  [CHANCMD.RESUME, 'resume'],
  [CHANCMD.RESET, 'reset'],
];

const PHASE_CODE: Readonly<Record<Phase, number>> = {
  armed: CHANNEL_STATE_CODE.armed,
  active: CHANNEL_STATE_CODE.active,
  idle: CHANNEL_STATE_CODE.idle,
  suspended: CHANNEL_STATE_CODE.suspended,
  aborted: CHANNEL_STATE_CODE.halted,
  failed: CHANNEL_STATE_CODE.halted,
};

/** Collects observations while folding. */
class Recorder {
  readonly events: DatapathEvent[] = [];
  readonly processed: ProcessedDescriptor[] = [];
  readonly writes: DatapathWrite[] = [];
  op = 0;
  dmaWrite(s: ModelState, pa: bigint, bytes: Uint8Array): ModelState {
    this.writes.push({ op: this.op, pa, length: bytes.length });
    return { ...s, mem: modelWrite(s.mem, pa, bytes) };
  }
  completion(s: ModelState, descriptorPa: bigint, status: number): ModelState {
    const word = (descriptorPa & NET_DMA_COMPLETION_ADDRESS_MASK) | BigInt(status);
    this.writes.push({ op: this.op, pa: s.chancmp, length: 8 });
    this.events.push({ t: 'completion', op: this.op, word });
    return { ...s, mem: modelWriteU64(s.mem, s.chancmp, word) };
  }
}

/** Runs `ops` on a freshly reset channel configured by `config`, over `memory`. Pure. */
export function runDatapath(config: DatapathConfig, memory: ModelMemory, ops: readonly DatapathOp[]): DatapathResult {
  const rec = new Recorder();
  let s: ModelState = {
    mem: memory,
    phase: 'armed',
    mode: 'none',
    next: null,
    last: null,
    stsAddr: 0n,
    chanctrl: config.chanctrl & 0x011d,
    master: config.masterIntEn,
    chainAddr: 0n,
    chainArmed: false,
    chancmp: config.completionAddress,
    dmacount: 0,
    done: 0,
    cdar: 0n,
    chanerr: 0,
    chanerrMask: config.chanerrMask ?? 0,
    irqPending: false,
    dca: undefined,
    ahead: [],
  };
  const memoryAfterOp: ModelMemory[] = [];
  const registersAfterOp: DatapathRegisters[] = [];
  ops.forEach((op, i) => {
    rec.op = i;
    s = applyOp(s, op, config, rec);
    memoryAfterOp.push(s.mem);
    registersAfterOp.push(registers(s));
  });
  const events = rec.events;
  return {
    memory: s.mem,
    memoryAfterOp,
    registersAfterOp,
    events,
    processed: rec.processed,
    completionWords: events.flatMap((e) => (e.t === 'completion' ? [e.word] : [])),
    interrupts: events.filter((e) => e.t === 'interrupt').length,
    suspendReports: events.flatMap((e) => (e.t === 'suspended' ? [e.lastDescriptor] : [])),
    dmaWrites: rec.writes,
    final: registers(s),
  };
}

function registers(s: ModelState): DatapathRegisters {
  return {
    stateCode: PHASE_CODE[s.phase],
    chansts: (s.stsAddr & NET_DMA_COMPLETION_ADDRESS_MASK) | BigInt(PHASE_CODE[s.phase]),
    chanerr: s.chanerr,
    cdar: s.cdar,
    dmaCount: s.dmacount,
    completedCount: s.done,
    chanctrl: s.chanctrl,
    dcaApicId: s.dca,
    mode: s.mode,
  };
}

const stopped = (s: ModelState): boolean => s.phase === 'armed' || s.phase === 'idle' || s.phase === 'aborted';

function applyOp(s: ModelState, op: DatapathOp, config: DatapathConfig, rec: Recorder): ModelState {
  switch (op.op) {
    case 'start':
      return command(writeChainAddr(s, op.head), CHANCMD.START, rec, config);
    case 'start-counted':
      return writeDmaCount(writeChainAddr(s, op.head), s.dmacount + op.count, config);
    case 'add-count':
      return writeDmaCount(s, s.dmacount + op.count, config);
    case 'append':
      return command(s, CHANCMD.APPEND, rec, config);
    case 'suspend':
      return command(s, CHANCMD.SUSPEND, rec, config);
    case 'resume':
      return command(s, CHANCMD.RESUME, rec, config);
    case 'abort':
      return command(s, CHANCMD.ABORT, rec, config);
    case 'reset':
      return command(s, CHANCMD.RESET, rec, config);
    case 'command':
      return command(s, op.value, rec, config);
    case 'cpu-write':
      return { ...s, mem: modelWrite(s.mem, op.pa, op.bytes) };
    case 'rearm': {
      const armed = { ...s, chanctrl: s.chanctrl | CHANCTRL.INT_REARM };
      return armed.irqPending ? fireIfPossible(armed, rec) : armed;
    }
    case 'clear-errors':
      return { ...s, chanerr: 0 };
    case 'step': {
      let t = s;
      for (let k = 0; k < op.count; k++) t = step(t, config, rec);
      return t;
    }
  }
}

function writeChainAddr(s: ModelState, pa: bigint): ModelState {
  return { ...s, chainAddr: pa, chainArmed: s.chainArmed || stopped(s) };
}

function writeDmaCount(s0: ModelState, raw: number, config: DatapathConfig): ModelState {
  const value = raw & 0xffff;
  if (value === s0.dmacount) return s0;
  // A new count makes the engine re-read the chain: the prefetch window is emptied.
  const s: ModelState = { ...s0, ahead: [] };
  if (stopped(s) && s.chainArmed) {
    return prefetch({ ...s, dmacount: value, mode: 'counted', done: s.dmacount, next: { at: s.chainAddr }, last: null, chainArmed: false, phase: 'active' }, config);
  }
  if (s.mode === 'counted' && s.phase === 'idle' && value !== s.done) {
    return prefetch({ ...s, dmacount: value, phase: 'active', next: s.last ? { after: s.last.pa } : s.next }, config);
  }
  return s.mode === 'counted' ? prefetch({ ...s, dmacount: value }, config) : { ...s, dmacount: value };
}

/**
 * Fills the prefetch window: from the known next address (or after the last prefetched one),
 * while fewer than `config.prefetch` are held, in linked mode up to a 0 NextDescriptor, in
 * counted mode not beyond DMACOUNT, stopping at an address not 64-byte aligned or not allocated.
 * CDAR follows the last one fetched.
 */
function prefetch(s: ModelState, config: DatapathConfig): ModelState {
  const depth = config.prefetch ?? 0;
  if (depth === 0 || s.phase !== 'active' || s.next === null || !('at' in s.next) || s.ahead.length >= depth) return s;
  const ahead = [...s.ahead];
  let cdar = s.cdar;
  let candidate = ahead.length === 0 ? s.next.at : ahead[ahead.length - 1]!.next;
  const remaining = s.mode === 'counted' ? (s.dmacount - s.done + 0x10000) % 0x10000 : Infinity;
  while (ahead.length < depth && ahead.length < remaining) {
    if (candidate === 0n || candidate % 64n !== 0n || !modelContains(s.mem, candidate, 64)) break;
    const next = modelReadU64(s.mem, candidate + BigInt(OFF.NextDescriptor));
    ahead.push({ pa: candidate, next });
    cdar = candidate;
    candidate = next;
  }
  return { ...s, ahead, cdar };
}

function command(s: ModelState, raw: number, rec: Recorder, config: DatapathConfig): ModelState {
  const value = raw & 0xff;
  if (value === 0) return s;
  const named = COMMAND_BITS.find(([bit]) => bit === value);
  if (named === undefined || !ACCEPTS[named[1]].includes(s.phase)) {
    rec.events.push({ t: 'illegal-command', op: rec.op, value });
    return { ...s, chanerr: s.chanerr | CHANERR.CHANCMD };
  }
  const cmd = named[1];
  if (cmd === 'start') return prefetch({ ...s, mode: 'linked', next: { at: s.chainAddr }, last: null, chainArmed: false, phase: 'active', ahead: [] }, config);
  if (cmd === 'append') {
    if (s.mode !== 'linked') return s;
    // F28: the engine re-reads the descriptor it is on: the prefetch window is emptied.
    if (s.phase !== 'idle') return prefetch({ ...s, ahead: [] }, config);
    return prefetch({ ...s, phase: 'active', next: s.last ? { after: s.last.pa } : s.next, ahead: [] }, config);
  }
  if (cmd === 'suspend') {
    let t: ModelState = { ...s, phase: 'suspended' };
    if (t.last !== null && t.last.wantedStatus) {
      t = completionAddressOk(t) ? rec.completion(t, t.last.pa, 2) : halt(t, t.last.pa, CHANERR.COMPLETION_ADDR, rec);
    }
    rec.events.push({ t: 'suspended', op: rec.op, lastDescriptor: t.stsAddr & NET_DMA_COMPLETION_ADDRESS_MASK });
    return t;
  }
  if (cmd === 'resume') {
    const next = s.last ? { after: s.last.pa } : s.next;
    const phase: Phase = s.mode === 'counted' && s.done === s.dmacount ? 'idle' : 'active';
    return { ...s, next, phase, ahead: [] };
  }
  if (cmd === 'abort') {
    if (s.phase !== 'active' && s.phase !== 'idle' && s.phase !== 'suspended') return s;
    const t: ModelState = { ...s, phase: 'aborted', next: null, ahead: [] };
    if ((t.chanctrl & CHANCTRL.ERR_COMPLETION_EN) === 0) return t;
    return completionAddressOk(t) ? rec.completion(t, t.stsAddr, 3) : halt(t, t.stsAddr, CHANERR.COMPLETION_ADDR, rec);
  }
  // reset: just-allocated, keeping CHANCTRL, CHANCMP and CHANERR_MASK.
  return {
    ...s,
    phase: 'armed',
    mode: 'none',
    next: null,
    last: null,
    stsAddr: 0n,
    chainAddr: 0n,
    chainArmed: false,
    dmacount: 0,
    done: 0,
    cdar: 0n,
    chanerr: 0,
    irqPending: false,
    dca: undefined,
    ahead: [],
  };
}

function completionAddressOk(s: ModelState): boolean {
  return s.chancmp % 64n === 0n && modelContains(s.mem, s.chancmp, 8);
}

function requestInterrupt(s: ModelState, rec: Recorder): ModelState {
  return fireIfPossible({ ...s, irqPending: true }, rec);
}

function fireIfPossible(s: ModelState, rec: Recorder): ModelState {
  if (!s.irqPending || !s.master || (s.chanctrl & CHANCTRL.INT_REARM) === 0) return s;
  rec.events.push({ t: 'interrupt', op: rec.op });
  return { ...s, irqPending: false, chanctrl: s.chanctrl & ~CHANCTRL.INT_REARM };
}

function halt(s: ModelState, pa: bigint, bit: number, rec: Recorder): ModelState {
  rec.events.push({ t: 'error', op: rec.op, pa, chanerr: bit });
  let t: ModelState = { ...s, chanerr: s.chanerr | bit, phase: 'failed', stsAddr: pa, next: null };
  if ((t.chanerrMask & bit) !== 0) return t;
  if ((t.chanctrl & CHANCTRL.ERR_COMPLETION_EN) !== 0 && completionAddressOk(t)) t = rec.completion(t, pa, 3);
  if ((t.chanctrl & CHANCTRL.ERR_INT_EN) !== 0) t = requestInterrupt(t, rec);
  return t;
}

/** The pieces of one side of a transfer: [address, length] pairs. */
function pieces(addr: bigint, nextAddr: bigint, size: number, pageBreak: boolean): Array<readonly [bigint, number]> {
  if (!pageBreak) return [[addr, size]];
  const pageEnd = (addr / BigInt(NET_DMA_PAGE_SIZE) + 1n) * BigInt(NET_DMA_PAGE_SIZE);
  const room = pageEnd - addr;
  if (room >= BigInt(size)) return [[addr, size]];
  return [
    [addr, Number(room)],
    [nextAddr, size - Number(room)],
  ];
}

function step(s0: ModelState, config: DatapathConfig, rec: Recorder): ModelState {
  const next = s0.next;
  if (s0.phase !== 'active' || next === null) return s0;
  let s = s0;
  let pa: bigint;
  if ('after' in next) {
    const after = next.after;
    if (!modelContains(s.mem, after + BigInt(OFF.NextDescriptor), 8)) return halt(s, after, CHANERR.NEXT_DESC_ADDR, rec);
    pa = modelReadU64(s.mem, after + BigInt(OFF.NextDescriptor));
    if (s.mode === 'linked' && pa === 0n) {
      rec.events.push({ t: 'idle', op: rec.op, after });
      return { ...s, phase: 'idle' };
    }
  } else {
    pa = next.at;
  }
  // A prefetched descriptor goes on with the NextDescriptor read at its fetch; CDAR is already ahead.
  const cached = s.ahead.length > 0 && s.ahead[0]!.pa === pa ? s.ahead[0]! : undefined;
  s = cached !== undefined ? s : { ...s, cdar: pa, ahead: [] };
  if (pa % 64n !== 0n) return halt(s, pa, CHANERR.NEXT_DESC_ALIGN, rec);
  if (!modelContains(s.mem, pa, 64)) return halt(s, pa, CHANERR.NEXT_DESC_ADDR, rec);

  const size = modelReadU32(s.mem, pa + BigInt(OFF.TransferSize));
  const flags = modelReadU32(s.mem, pa + BigInt(OFF.ControlFlags));
  const src = modelReadU64(s.mem, pa + BigInt(OFF.SourceAddress));
  const dst = modelReadU64(s.mem, pa + BigInt(OFF.DestinationAddress));
  const nextDesc = cached !== undefined ? cached.next : modelReadU64(s.mem, pa + BigInt(OFF.NextDescriptor));
  const nextSrc = modelReadU64(s.mem, pa + BigInt(OFF.NextSourceAddress));
  const nextDst = modelReadU64(s.mem, pa + BigInt(OFF.NextDestinationAddress));

  const opType = Math.floor(flags / 0x0100_0000);
  const contextChange = opType === NET_DMA_OP_TYPE_CONTEXT_CHANGE / 0x0100_0000;
  const isNull = !contextChange && (flags & NET_DMA_NULL_TRANSFER) !== 0;
  const standard = !contextChange && !isNull;
  const srcBreak = (flags & NET_DMA_SOURCE_PAGE_BREAK) !== 0;
  const dstBreak = (flags & NET_DMA_DESTINATION_PAGE_BREAK) !== 0;

  const lowFlagsOk = ((flags & ~NET_DMA_OP_TYPE_MASK) & ~NET_DMA_DEFINED_FLAGS_MASK) === 0;
  const opOk = opType === 0 || contextChange;
  const breaksOk = !standard || ((!srcBreak || nextSrc % 4096n === 0n) && (!dstBreak || nextDst % 4096n === 0n));
  if (!lowFlagsOk || !opOk || !breaksOk) return halt(s, pa, CHANERR.DESC_CONTROL, rec);
  if (standard && config.xfercapLog2 > 0 && size > Math.pow(2, config.xfercapLog2)) return halt(s, pa, CHANERR.LENGTH, rec);

  let outcome: ProcessedDescriptor['outcome'] = 'copied';
  let moved = 0;
  if (contextChange) {
    outcome = 'context-change';
    if (config.dca !== false) s = { ...s, dca: size % 256 };
  } else if (isNull) {
    outcome = 'null';
  } else if (size > 0) {
    const from = pieces(src, nextSrc, size, srcBreak);
    const to = pieces(dst, nextDst, size, dstBreak);
    if (from.some(([a, n]) => !modelContains(s.mem, a, n))) return halt(s, pa, CHANERR.SRC_ADDR, rec);
    if (to.some(([a, n]) => !modelContains(s.mem, a, n))) return halt(s, pa, CHANERR.DEST_ADDR, rec);
    const data = new Uint8Array(size);
    let at = 0;
    for (const [a, n] of from) {
      data.set(modelRead(s.mem, a, n), at);
      at += n;
    }
    at = 0;
    for (const [a, n] of to) {
      s = rec.dmaWrite(s, a, data.slice(at, at + n));
      at += n;
    }
    moved = size;
  }

  const done = (s.done + 1) % 0x10000;
  const more = s.mode === 'linked' ? nextDesc !== 0n : done !== s.dmacount;
  const status = more ? 0 : 1;
  const wantsStatus = (flags & NET_DMA_STATUS_UPDATE_ON_COMPLETION) !== 0;
  if (wantsStatus && !completionAddressOk(s)) return halt(s, pa, CHANERR.COMPLETION_ADDR, rec);
  rec.events.push({ t: 'descriptor', op: rec.op, pa, outcome, bytes: moved, status });
  if (wantsStatus) s = rec.completion(s, pa, status);
  s = {
    ...s,
    done,
    last: { pa, wantedStatus: wantsStatus },
    stsAddr: pa,
    next: { at: nextDesc },
    phase: more ? 'active' : 'idle',
    ahead: cached !== undefined ? s.ahead.slice(1) : s.ahead,
  };
  s = prefetch(s, config);
  rec.processed.push({ op: rec.op, pa, outcome, bytes: moved, memoryAfter: s.mem });
  if ((flags & NET_DMA_INTERRUPT_ON_COMPLETION) !== 0) s = requestInterrupt(s, rec);
  return s;
}
