/**
 * Generators for the engine-vs-model properties: random descriptor specs, random driver
 * "moves", and their deterministic interpretation into a list of model operations
 * (`DatapathOp`) for a fixed memory layout. The moves are generated raw and interpreted by
 * pure functions, so fast-check shrinks the raw choices.
 */
import fc from 'fast-check';
import {
  CHANCMD,
  CHANCTRL,
  encodeDescriptor,
  NET_DMA_DESTINATION_DCA_ENABLE,
  NET_DMA_DESTINATION_NO_SNOOP,
  NET_DMA_DESTINATION_PAGE_BREAK,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_OP_TYPE_CONTEXT_CHANGE,
  NET_DMA_SERIALIZE_TRANSFER,
  NET_DMA_SOURCE_NO_SNOOP,
  NET_DMA_SOURCE_PAGE_BREAK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
} from '../src/hardware/index';
import type { DatapathConfig, DatapathOp } from '../src/model/datapath/index';

/** Size of each of the two data buffers. */
export const BUFFER_SIZE = 0x8000;
/** Descriptor slots in the pool. */
export const SLOT_COUNT = 32;
/** Ring size used by counted scenarios. */
export const RING_SIZE = 16;
/** An address no allocation ever covers. */
export const UNALLOCATED = 0x40n;

/** Physical addresses of the regions every scenario uses. */
export interface Layout {
  readonly completion: bigint;
  readonly pool: bigint;
  readonly buffers: readonly [bigint, bigint];
}

export type DescKind = 'copy' | 'null' | 'zero' | 'context' | 'bad-flags' | 'bad-op' | 'bad-src' | 'bad-dst';

/** Raw random choices for one descriptor. */
export interface DescSpec {
  readonly kind: DescKind;
  readonly size: number;
  readonly srcBuf: 0 | 1;
  readonly dstBuf: 0 | 1;
  readonly srcOff: number;
  readonly dstOff: number;
  readonly srcBreak: boolean;
  readonly dstBreak: boolean;
  /** Bytes before the page end for a page-break side (1..4096). */
  readonly srcFirst: number;
  readonly dstFirst: number;
  readonly srcPage2: number;
  readonly dstPage2: number;
  readonly status: boolean;
  readonly interrupt: boolean;
  readonly serialize: boolean;
  readonly dca: boolean;
  readonly noSnoop: number;
  readonly apic: number;
}

const sizeArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 96 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4200 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 16384 }) },
  { weight: 2, arbitrary: fc.constantFrom(1, 4095, 4096, 4097, 8191, 8192, 8193, 16384) },
);

const kindArb: fc.Arbitrary<DescKind> = fc.oneof(
  { weight: 80, arbitrary: fc.constant('copy' as const) },
  { weight: 16, arbitrary: fc.constant('null' as const) },
  { weight: 6, arbitrary: fc.constant('zero' as const) },
  { weight: 6, arbitrary: fc.constant('context' as const) },
  { weight: 1, arbitrary: fc.constant('bad-flags' as const) },
  { weight: 1, arbitrary: fc.constant('bad-op' as const) },
  { weight: 1, arbitrary: fc.constant('bad-src' as const) },
  { weight: 1, arbitrary: fc.constant('bad-dst' as const) },
);

/** One random descriptor. */
export const descSpecArb: fc.Arbitrary<DescSpec> = fc.record({
  kind: kindArb,
  size: sizeArb,
  srcBuf: fc.constantFrom(0 as const, 1 as const),
  dstBuf: fc.constantFrom(0 as const, 1 as const),
  srcOff: fc.nat({ max: BUFFER_SIZE }),
  dstOff: fc.nat({ max: BUFFER_SIZE }),
  srcBreak: fc.boolean(),
  dstBreak: fc.boolean(),
  srcFirst: fc.integer({ min: 1, max: 4096 }),
  dstFirst: fc.integer({ min: 1, max: 4096 }),
  srcPage2: fc.nat({ max: 7 }),
  dstPage2: fc.nat({ max: 7 }),
  status: fc.boolean(),
  interrupt: fc.boolean(),
  serialize: fc.boolean(),
  dca: fc.boolean(),
  noSnoop: fc.nat({ max: 3 }),
  apic: fc.nat({ max: 255 }),
});

/** One side's address (and next address for a page break) inside buffer `base`. */
function side(base: bigint, size: number, off: number, brk: boolean, first: number, page2: number): { addr: bigint; next: bigint } {
  if (!brk) return { addr: base + BigInt(off % (BUFFER_SIZE - size + 1)), next: 0n };
  const page = off % (BUFFER_SIZE / 4096);
  const addr = base + BigInt(page * 4096 + (4096 - first));
  if (size <= first) return { addr, next: 0n };
  const rest = size - first;
  const maxPage2 = Math.floor((BUFFER_SIZE - rest) / 4096);
  return { addr, next: base + BigInt((page2 % (maxPage2 + 1)) * 4096) };
}

/** Encodes a spec as a 64-byte descriptor whose NextDescriptor is `next`. */
export function encodeSpec(spec: DescSpec, layout: Layout, next: bigint): Uint8Array {
  let flags =
    (spec.status ? NET_DMA_STATUS_UPDATE_ON_COMPLETION : 0) |
    (spec.interrupt ? NET_DMA_INTERRUPT_ON_COMPLETION : 0) |
    (spec.serialize ? NET_DMA_SERIALIZE_TRANSFER : 0) |
    (spec.noSnoop & 1 ? NET_DMA_SOURCE_NO_SNOOP : 0) |
    (spec.noSnoop & 2 ? NET_DMA_DESTINATION_NO_SNOOP : 0);
  const size = spec.kind === 'zero' ? 0 : spec.kind === 'bad-src' || spec.kind === 'bad-dst' ? Math.max(1, spec.size) : spec.size;
  const src = side(layout.buffers[spec.srcBuf], size, spec.srcOff, spec.srcBreak, spec.srcFirst, spec.srcPage2);
  const dst = side(layout.buffers[spec.dstBuf], size, spec.dstOff, spec.dstBreak, spec.dstFirst, spec.dstPage2);
  if (spec.srcBreak) flags |= NET_DMA_SOURCE_PAGE_BREAK;
  if (spec.dstBreak) flags |= NET_DMA_DESTINATION_PAGE_BREAK;
  if (spec.dca) flags |= NET_DMA_DESTINATION_DCA_ENABLE;
  let transferSize = size;
  switch (spec.kind) {
    case 'null':
      flags |= NET_DMA_NULL_TRANSFER;
      break;
    case 'context':
      flags = (flags & (NET_DMA_STATUS_UPDATE_ON_COMPLETION | NET_DMA_INTERRUPT_ON_COMPLETION)) | NET_DMA_OP_TYPE_CONTEXT_CHANGE;
      transferSize = spec.apic | (spec.size << 8);
      break;
    case 'bad-flags':
      flags |= 0x100;
      break;
    case 'bad-op':
      flags |= 0x0300_0000;
      break;
    default:
      break;
  }
  return encodeDescriptor({
    TransferSize: transferSize >>> 0,
    ControlFlags: flags >>> 0,
    SourceAddress: spec.kind === 'bad-src' ? UNALLOCATED : src.addr,
    DestinationAddress: spec.kind === 'bad-dst' ? UNALLOCATED : dst.addr,
    NextDescriptor: next,
    NextSourceAddress: src.next,
    NextDestinationAddress: dst.next,
    UserContext1: 0x1111n,
    UserContext2: 0x2222n,
  });
}

/** A list edit made while the channel is suspended. */
export type Edit =
  | { readonly e: 'rewrite'; readonly pick: number; readonly spec: DescSpec }
  | { readonly e: 'relink'; readonly pick: number; readonly to: number | null };

/** A raw driver move. */
export type Move =
  | { readonly m: 'steps'; readonly n: number }
  | { readonly m: 'extend'; readonly descs: readonly DescSpec[] }
  /**
   * Links new descriptors after the tail without the doorbell (linked: no APPEND; counted: no
   * DMACOUNT write): an engine that prefetched the tail keeps its old NextDescriptor until a later
   * APPEND or DMACOUNT change (src/hardware/dma.ts, *Prefetch*).
   */
  | { readonly m: 'link'; readonly descs: readonly DescSpec[] }
  | { readonly m: 'suspend-edit-resume'; readonly edits: readonly Edit[]; readonly resume: boolean }
  | { readonly m: 'abort-restart'; readonly descs: readonly DescSpec[]; readonly restart: boolean }
  | { readonly m: 'reset-restart'; readonly descs: readonly DescSpec[]; readonly restart: boolean }
  | { readonly m: 'rearm' }
  | { readonly m: 'append' }
  | { readonly m: 'clear-errors' }
  | { readonly m: 'command'; readonly value: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ e: fc.constant('rewrite' as const), pick: fc.nat({ max: 63 }), spec: descSpecArb }),
  fc.record({ e: fc.constant('relink' as const), pick: fc.nat({ max: 63 }), to: fc.option(fc.nat({ max: 63 }), { nil: null }) }),
);

const commandValueArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.values(CHANCMD)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xff }) },
);

const moveArb: fc.Arbitrary<Move> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ m: fc.constant('steps' as const), n: fc.nat({ max: 5 }) }) },
  { weight: 5, arbitrary: fc.record({ m: fc.constant('extend' as const), descs: fc.array(descSpecArb, { minLength: 1, maxLength: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      m: fc.constant('suspend-edit-resume' as const),
      edits: fc.array(editArb, { maxLength: 2 }),
      resume: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('abort-restart' as const), descs: fc.array(descSpecArb, { minLength: 1, maxLength: 4 }), restart: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('reset-restart' as const), descs: fc.array(descSpecArb, { minLength: 1, maxLength: 4 }), restart: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ m: 'rearm' as const }) },
  { weight: 1, arbitrary: fc.constant({ m: 'append' as const }) },
  { weight: 1, arbitrary: fc.constant({ m: 'clear-errors' as const }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('command' as const), value: commandValueArb }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('link' as const), descs: fc.array(descSpecArb, { minLength: 1, maxLength: 2 }) }) },
);

/** A whole scenario: channel configuration, the initial chain and the moves. */
export interface Scenario {
  readonly mode: 'linked' | 'counted';
  readonly config: DatapathConfig;
  /** Extra choices interpreted against the layout: CHANCMP misaligned by 8. */
  readonly badCompletion: boolean;
  readonly initial: readonly DescSpec[];
  readonly moves: readonly Move[];
  readonly memorySeed: number;
  /** Counted mode: DMACOUNT value written before the first CHAINADDR (no effect then), so counts start near the 16-bit wrap. */
  readonly countBase: number;
}

const configArb = fc.record({
  xfercapLog2: fc.oneof({ weight: 6, arbitrary: fc.constant(20) }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(12, 13, 14) }),
  rearm: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  errCompletion: fc.boolean(),
  errInt: fc.boolean(),
  masterIntEn: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  chanerrMask: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(0x1, 0x400, 0x1000, 0xffff_ffff) }),
});

/** A random scenario in `mode`. The completion address is filled in by {@link scenarioOps}. */
export function scenarioArb(mode: 'linked' | 'counted'): fc.Arbitrary<Scenario> {
  return fc
    .record({
      cfg: configArb,
      badCompletion: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      initial: fc.array(descSpecArb, { minLength: 1, maxLength: 8 }),
      moves: fc.array(moveArb, { maxLength: 14 }),
      memorySeed: fc.nat(),
      countBase: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0xfff0, max: 0xffff }) }),
      // Drawn last, so the fields above are drawn as before the engine had a prefetch window.
      prefetch: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }),
    })
    .map(({ cfg, badCompletion, initial, moves, memorySeed, countBase, prefetch }) => ({
      mode,
      config: {
        xfercapLog2: cfg.xfercapLog2,
        chanctrl: (cfg.rearm ? CHANCTRL.INT_REARM : 0) | (cfg.errCompletion ? CHANCTRL.ERR_COMPLETION_EN : 0) | (cfg.errInt ? CHANCTRL.ERR_INT_EN : 0),
        masterIntEn: cfg.masterIntEn,
        completionAddress: 0n,
        chanerrMask: cfg.chanerrMask,
        prefetch,
      },
      badCompletion,
      initial,
      moves,
      memorySeed,
      countBase,
    }));
}

/** Steps run at the end of every scenario to drain the channel. */
export const DRAIN_STEPS = 48;

/** Interprets a scenario into model operations over `layout`, and the configuration to use. */
export function scenarioOps(s: Scenario, layout: Layout): { config: DatapathConfig; ops: DatapathOp[] } {
  const config: DatapathConfig = { ...s.config, completionAddress: layout.completion + (s.badCompletion ? 8n : 0n) };
  const ops = s.mode === 'linked' ? linkedOps(s, layout) : countedOps(s, layout);
  ops.push({ op: 'step', count: DRAIN_STEPS });
  return { config, ops };
}

const slotPa = (layout: Layout, i: number): bigint => layout.pool + BigInt(64 * i);
const nextField = (layout: Layout, i: number): bigint => slotPa(layout, i) + 24n;
const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};

/** NetDMA 1.x driver: NULL-terminated lists, tail patch + APPEND. */
function linkedOps(s: Scenario, layout: Layout): DatapathOp[] {
  const ops: DatapathOp[] = [];
  let nextFree = 0;
  let chain: number[] = [];
  const links = new Map<number, number | null>();
  const fresh = (): number => nextFree++ % SLOT_COUNT;
  const writeChain = (descs: readonly DescSpec[]): number[] => {
    const slots = descs.map(() => fresh());
    descs.forEach((d, i) => {
      const next = i + 1 < slots.length ? slots[i + 1]! : null;
      links.set(slots[i]!, next);
      ops.push({ op: 'cpu-write', pa: slotPa(layout, slots[i]!), bytes: encodeSpec(d, layout, next === null ? 0n : slotPa(layout, next)) });
    });
    return slots;
  };
  chain = writeChain(s.initial);
  ops.push({ op: 'start', head: slotPa(layout, chain[0]!) });
  for (const mv of s.moves) {
    switch (mv.m) {
      case 'steps':
        ops.push({ op: 'step', count: mv.n });
        break;
      case 'extend': {
        const tail = chain[chain.length - 1]!;
        const added = writeChain(mv.descs);
        links.set(tail, added[0]!);
        ops.push({ op: 'cpu-write', pa: nextField(layout, tail), bytes: u64(slotPa(layout, added[0]!)) });
        ops.push({ op: 'append' });
        chain = [...chain, ...added];
        break;
      }
      case 'link': {
        const tail = chain[chain.length - 1]!;
        const added = writeChain(mv.descs);
        links.set(tail, added[0]!);
        ops.push({ op: 'cpu-write', pa: nextField(layout, tail), bytes: u64(slotPa(layout, added[0]!)) });
        chain = [...chain, ...added];
        break;
      }
      case 'suspend-edit-resume': {
        ops.push({ op: 'suspend' });
        for (const ed of mv.edits) {
          const slot = chain[ed.pick % chain.length]!;
          if (ed.e === 'rewrite') {
            const next = links.get(slot) ?? null;
            ops.push({ op: 'cpu-write', pa: slotPa(layout, slot), bytes: encodeSpec(ed.spec, layout, next === null ? 0n : slotPa(layout, next)) });
          } else {
            const to = ed.to === null ? null : chain[ed.to % chain.length]!;
            links.set(slot, to);
            ops.push({ op: 'cpu-write', pa: nextField(layout, slot), bytes: u64(to === null ? 0n : slotPa(layout, to)) });
          }
        }
        if (mv.resume) ops.push({ op: 'resume' });
        break;
      }
      case 'abort-restart':
      case 'reset-restart': {
        ops.push({ op: mv.m === 'abort-restart' ? 'abort' : 'reset' });
        if (mv.restart) {
          chain = writeChain(mv.descs);
          ops.push({ op: 'start', head: slotPa(layout, chain[0]!) });
        }
        break;
      }
      case 'rearm':
        ops.push({ op: 'rearm' });
        break;
      case 'append':
        // APPEND without new work: a spurious append (linked) or a 1.x command in counted mode.
        ops.push({ op: 'append' });
        break;
      case 'clear-errors':
        ops.push({ op: 'clear-errors' });
        break;
      case 'command':
        ops.push({ op: 'command', value: mv.value });
        break;
    }
  }
  return ops;
}

/** NetDMA 2.0 driver: a ring of RING_SIZE pre-linked slots and a running DMACOUNT. */
function countedOps(s: Scenario, layout: Layout): DatapathOp[] {
  const ops: DatapathOp[] = [];
  let pos = 0;
  const ringNext = (i: number): bigint => slotPa(layout, (i + 1) % RING_SIZE);
  const fill = (descs: readonly DescSpec[]): number => {
    const head = pos;
    for (const d of descs) {
      ops.push({ op: 'cpu-write', pa: slotPa(layout, pos), bytes: encodeSpec(d, layout, ringNext(pos)) });
      pos = (pos + 1) % RING_SIZE;
    }
    return head;
  };
  if (s.countBase !== 0) ops.push({ op: 'add-count', count: s.countBase });
  const head = fill(s.initial);
  ops.push({ op: 'start-counted', head: slotPa(layout, head), count: s.initial.length });
  for (const mv of s.moves) {
    switch (mv.m) {
      case 'steps':
        ops.push({ op: 'step', count: mv.n });
        break;
      case 'extend':
        fill(mv.descs);
        ops.push({ op: 'add-count', count: mv.descs.length });
        break;
      case 'link':
        fill(mv.descs);
        break;
      case 'suspend-edit-resume': {
        ops.push({ op: 'suspend' });
        for (const ed of mv.edits) {
          const slot = ed.pick % RING_SIZE;
          if (ed.e === 'rewrite') {
            ops.push({ op: 'cpu-write', pa: slotPa(layout, slot), bytes: encodeSpec(ed.spec, layout, ringNext(slot)) });
          } else {
            const to = ed.to === null ? 0n : slotPa(layout, ed.to % RING_SIZE);
            ops.push({ op: 'cpu-write', pa: nextField(layout, slot), bytes: u64(to) });
          }
        }
        if (mv.resume) ops.push({ op: 'resume' });
        break;
      }
      case 'abort-restart':
      case 'reset-restart': {
        ops.push({ op: mv.m === 'abort-restart' ? 'abort' : 'reset' });
        if (mv.restart) {
          const h = fill(mv.descs);
          ops.push({ op: 'start-counted', head: slotPa(layout, h), count: mv.descs.length });
        }
        break;
      }
      case 'rearm':
        ops.push({ op: 'rearm' });
        break;
      case 'append':
        // APPEND without new work: a spurious append (linked) or a 1.x command in counted mode.
        ops.push({ op: 'append' });
        break;
      case 'clear-errors':
        ops.push({ op: 'clear-errors' });
        break;
      case 'command':
        ops.push({ op: 'command', value: mv.value });
        break;
    }
  }
  return ops;
}
