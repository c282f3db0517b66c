/**
 * Runs the same operations on the real simulated engine (through MMIO and CPU stores) and
 * on the data-path model, and compares everything observable after every operation:
 * memory, register-visible state, the ordered event stream (descriptors, errors, idle
 * re-reads, completion words, interrupts, suspend reports, illegal commands) and the DMA
 * write ranges.
 */
import {
  CHANCTRL,
  CHANNEL_REGISTERS,
  channelBlockOffset,
  GENERAL_REGISTERS,
  INTRCTRL,
  IoatEngine,
  PhysicalMemory,
  CHANCMD,
} from '../src/hardware/index';
import type { EngineNotice, EngineStepEvent } from '../src/hardware/index';
import { modelMemoryOf, runDatapath } from '../src/model/datapath/index';
import type { DatapathConfig, DatapathEvent, DatapathOp, DatapathRegisters, ModelMemory } from '../src/model/datapath/index';
import { BUFFER_SIZE, SLOT_COUNT } from './engine-scenarios';
import type { Layout } from './engine-scenarios';

/** Fresh memory with the fixed layout, filled deterministically from `seed`. */
export function makeMemory(seed: number): { memory: PhysicalMemory; layout: Layout } {
  const memory = new PhysicalMemory();
  const completion = memory.allocateContiguous(4096);
  const pool = memory.allocateContiguous(64 * SLOT_COUNT);
  const a = memory.allocateContiguous(BUFFER_SIZE);
  const b = memory.allocateContiguous(BUFFER_SIZE);
  for (const [i, base] of [a, b].entries()) {
    const bytes = new Uint8Array(BUFFER_SIZE);
    let x = (seed ^ (0x9e37_79b9 * (i + 1))) >>> 0;
    for (let k = 0; k < BUFFER_SIZE; k++) {
      x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
      bytes[k] = x >>> 24;
    }
    memory.write(base, bytes);
  }
  memory.writeLog.resetLog();
  return { memory, layout: { completion, pool, buffers: [a, b] } };
}

/** What the engine side observed. */
export interface EngineObservation {
  readonly events: DatapathEvent[];
  readonly memoryAfterOp: Array<Map<bigint, Uint8Array>>;
  readonly registersAfterOp: DatapathRegisters[];
  readonly dmaWrites: Array<{ pa: bigint; length: number }>;
  readonly raised: number;
  readonly stepTexts: string[];
}

const reg = (name: keyof typeof CHANNEL_REGISTERS) => ({ offset: channelBlockOffset(0) + CHANNEL_REGISTERS[name].offset, size: CHANNEL_REGISTERS[name].size });

/**
 * Runs `ops` on a real engine over `memory` (channel 0). `fastPath: false` forces the engine's
 * general data path for every descriptor (see `stepPlainCopy` in src/hardware/dma.ts).
 */
export function runEngine(memory: PhysicalMemory, config: DatapathConfig, ops: readonly DatapathOp[], fastPath = true): EngineObservation {
  const events: DatapathEvent[] = [];
  const stepTexts: string[] = [];
  let op = 0;
  let raised = 0;
  let engine: IoatEngine | undefined;
  const readReg = (name: keyof typeof CHANNEL_REGISTERS): bigint => {
    const r = reg(name);
    return engine!.mmioRead(r.offset, r.size);
  };
  const onNotice = (n: EngineNotice): void => {
    switch (n.kind) {
      case 'command':
        if (!n.accepted) events.push({ t: 'illegal-command', op, value: lastCommand });
        else if (n.command === 'suspend') events.push({ t: 'suspended', op, lastDescriptor: engine!.channelSnapshot(0).lastCompletedPa });
        break;
      case 'completion-write':
        events.push({ t: 'completion', op, word: n.write.word });
        break;
      case 'halt':
        events.push({ t: 'error', op, pa: n.descriptorPa, chanerr: n.chanerr });
        if (n.interrupt === 'raised') events.push({ t: 'interrupt', op });
        break;
      case 'interrupt':
        events.push({ t: 'interrupt', op });
        break;
      case 'counted-start':
        break;
    }
  };
  let lastCommand = 0;
  engine = new IoatEngine({
    memory,
    channelCount: 1,
    xfercapLog2: config.xfercapLog2,
    prefetchDepth: config.prefetch ?? 0,
    fastPath,
    raiseInterrupt: () => {
      raised++;
    },
    notify: onNotice,
  });
  const e = engine;
  const write = (name: keyof typeof CHANNEL_REGISTERS, value: bigint): void => {
    const r = reg(name);
    e.mmioWrite(r.offset, r.size, value);
  };
  const command = (value: number): void => {
    lastCommand = value & 0xff;
    write('CHANCMD', BigInt(value));
  };
  // Program the channel as a driver would; CHANCMP as two 32-bit halves, low first.
  e.mmioWrite(GENERAL_REGISTERS.INTRCTRL.offset, 1, config.masterIntEn ? BigInt(INTRCTRL.MASTER_INT_EN) : 0n);
  write('CHANCTRL', BigInt(config.chanctrl));
  e.mmioWrite(reg('CHANCMP').offset, 4, config.completionAddress & 0xffff_ffffn);
  e.mmioWrite(reg('CHANCMP').offset + 4, 4, config.completionAddress >> 32n);
  write('CHANERR_MASK', BigInt(config.chanerrMask ?? 0));
  memory.writeLog.resetLog();

  const memoryAfterOp: Array<Map<bigint, Uint8Array>> = [];
  const registersAfterOp: DatapathRegisters[] = [];
  const onStep = (ev: EngineStepEvent): void => {
    stepTexts.push(ev.text);
    switch (ev.kind) {
      case 'idle':
        events.push({ t: 'idle', op, after: ev.afterPa });
        return;
      case 'error':
        events.push({ t: 'error', op, pa: ev.descriptorPa, chanerr: ev.chanerr });
        break;
      case 'copied':
        events.push({ t: 'descriptor', op, pa: ev.descriptorPa, outcome: 'copied', bytes: ev.bytes, status: ev.status });
        break;
      case 'null':
        events.push({ t: 'descriptor', op, pa: ev.descriptorPa, outcome: 'null', bytes: 0, status: ev.status });
        break;
      case 'context-change':
        events.push({ t: 'descriptor', op, pa: ev.descriptorPa, outcome: 'context-change', bytes: 0, status: ev.status });
        break;
    }
    if (ev.completionWrite) events.push({ t: 'completion', op, word: ev.completionWrite.word });
    if (ev.interrupt === 'raised') events.push({ t: 'interrupt', op });
  };

  ops.forEach((o, i) => {
    op = i;
    switch (o.op) {
      case 'start':
        // CHAINADDR as two halves, then START.
        e.mmioWrite(reg('CHAINADDR').offset, 4, o.head & 0xffff_ffffn);
        e.mmioWrite(reg('CHAINADDR').offset + 4, 4, o.head >> 32n);
        command(CHANCMD.START);
        break;
      case 'start-counted':
        write('CHAINADDR', o.head);
        write('DMACOUNT', (readReg('DMACOUNT') + BigInt(o.count)) & 0xffffn);
        break;
      case 'add-count':
        write('DMACOUNT', (readReg('DMACOUNT') + BigInt(o.count)) & 0xffffn);
        break;
      case 'append':
        command(CHANCMD.APPEND);
        break;
      case 'suspend':
        command(CHANCMD.SUSPEND);
        break;
      case 'resume':
        command(CHANCMD.RESUME);
        break;
      case 'abort':
        command(CHANCMD.ABORT);
        break;
      case 'reset':
        command(CHANCMD.RESET);
        break;
      case 'command':
        command(o.value);
        break;
      case 'cpu-write':
        memory.write(o.pa, o.bytes);
        break;
      case 'rearm':
        write('CHANCTRL', readReg('CHANCTRL') | BigInt(CHANCTRL.INT_REARM));
        break;
      case 'clear-errors':
        write('CHANERR', 0xffff_ffffn);
        break;
      case 'step':
        for (let k = 0; k < o.count; k++) {
          const ev = e.step(0);
          if (ev) onStep(ev);
        }
        break;
    }
    memoryAfterOp.push(snapshotMemory(memory));
    const snap = e.channelSnapshot(0);
    registersAfterOp.push({
      stateCode: Number(readReg('CHANSTS') & 7n),
      chansts: readReg('CHANSTS'),
      chanerr: Number(readReg('CHANERR')),
      cdar: readReg('CDAR'),
      dmaCount: Number(readReg('DMACOUNT')),
      completedCount: snap.completedCount,
      chanctrl: Number(readReg('CHANCTRL')),
      dcaApicId: snap.dcaApicId,
      mode: snap.mode,
    });
  });
  const dmaWrites = memory.writeLog
    .ranges()
    .filter((w) => w.by === 'dma')
    .map((w) => ({ pa: w.pa, length: w.length }));
  return { events, memoryAfterOp, registersAfterOp, dmaWrites, raised, stepTexts };
}

function snapshotMemory(memory: PhysicalMemory): Map<bigint, Uint8Array> {
  const m = new Map<bigint, Uint8Array>();
  for (const a of memory.allocations()) m.set(a.pa, memory.view(a.pa, a.length).slice());
  return m;
}

function memoryEqual(a: ReadonlyMap<bigint, Uint8Array>, b: ModelMemory): string | undefined {
  if (a.size !== b.size) return `allocation count ${a.size} vs ${b.size}`;
  for (const [pa, bytes] of a) {
    const other = b.get(pa);
    if (other === undefined) return `allocation 0x${pa.toString(16)} missing in the model`;
    if (Buffer.compare(bytes, other) !== 0) {
      let i = 0;
      while (bytes[i] === other[i]) i++; // locate the first difference only after the bulk compare failed
      return `byte 0x${(pa + BigInt(i)).toString(16)}: engine 0x${bytes[i]!.toString(16)} vs model 0x${other[i]!.toString(16)}`;
    }
  }
  return undefined;
}

const show = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x instanceof Uint8Array ? `<${x.length} bytes>` : x));

/**
 * Runs engine and model on the same operations and throws a descriptive error on the
 * first divergence. Returns the model's event count (for coverage statistics).
 */
export function compareEngineWithModel(
  seed: number,
  build: (layout: Layout) => { config: DatapathConfig; ops: DatapathOp[] },
  fastPath = true,
): { events: readonly DatapathEvent[] } {
  const { memory, layout } = makeMemory(seed);
  const { config, ops } = build(layout);
  const initial = modelMemoryOf(memory.allocations().map((a) => [a.pa, memory.read(a.pa, a.length)] as const));
  const model = runDatapath(config, initial, ops);
  const engine = runEngine(memory, config, ops, fastPath);
  const context = (): string =>
    `\nconfig ${show(config)}\nops:\n${ops.map((o, i) => `  ${i}: ${show(o)}`).join('\n')}\nengine steps:\n${engine.stepTexts.map((t) => `  ${t}`).join('\n')}`;
  for (let i = 0; i < ops.length; i++) {
    const diff = memoryEqual(engine.memoryAfterOp[i]!, model.memoryAfterOp[i]!);
    if (diff !== undefined) throw new Error(`memory differs after op ${i}: ${diff}${context()}`);
    const er = engine.registersAfterOp[i]!;
    const mr = model.registersAfterOp[i]!;
    if (show(er) !== show(mr)) throw new Error(`registers differ after op ${i}:\n engine ${show(er)}\n model  ${show(mr)}${context()}`);
  }
  const n = Math.max(engine.events.length, model.events.length);
  for (let i = 0; i < n; i++) {
    if (show(engine.events[i]) !== show(model.events[i])) {
      throw new Error(
        `event ${i} differs:\n engine ${show(engine.events[i])}\n model  ${show(model.events[i])}\n engine events ${show(engine.events.slice(Math.max(0, i - 3), i + 2))}${context()}`,
      );
    }
  }
  if (engine.raised !== model.interrupts) throw new Error(`raiseInterrupt called ${engine.raised} times, model raised ${model.interrupts}${context()}`);
  if (show(engine.dmaWrites) !== show(model.dmaWrites.map((w) => ({ pa: w.pa, length: w.length })))) {
    throw new Error(`DMA write ranges differ:\n engine ${show(engine.dmaWrites)}\n model  ${show(model.dmaWrites)}${context()}`);
  }
  return { events: model.events };
}
