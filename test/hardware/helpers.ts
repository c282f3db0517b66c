/** Shared fixtures for the engine unit tests: an engine over fresh memory and register helpers. */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  channelBlockOffset,
  encodeDescriptor,
  GENERAL_REGISTERS,
  INTRCTRL,
  IoatEngine,
  PhysicalMemory,
} from '../../src/hardware/index';
import type { EngineConfig, EngineNotice, EngineStepEvent, FaultPlan, NetDmaDescriptor } from '../../src/hardware/index';

export interface Rig {
  readonly memory: PhysicalMemory;
  readonly engine: IoatEngine;
  /** Channels passed to raiseInterrupt, in order. */
  readonly interrupts: number[];
  readonly notices: EngineNotice[];
  /** A 64-byte-aligned completion slot (already in CHANCMP of every channel when `program` is set). */
  readonly completion: bigint;
  /** Pool of descriptor slots. */
  readonly descriptors: bigint;
  /** Two 64 KiB data buffers. */
  readonly src: bigint;
  readonly dst: bigint;
  slot(i: number): bigint;
  reg(ch: number, name: keyof typeof CHANNEL_REGISTERS): bigint;
  setReg(ch: number, name: keyof typeof CHANNEL_REGISTERS, value: bigint | number): void;
  cmd(ch: number, c: keyof typeof CHANCMD): void;
  writeDescriptor(slotIndex: number, d: Partial<NetDmaDescriptor>): bigint;
  /** Runs steps on `ch` until it is not runnable (at most `limit`). */
  run(ch?: number, limit?: number): EngineStepEvent[];
  completionWord(): bigint;
  /** Lets `ticks` (100 ns each) of simulated time pass (the clock of `resetDelay`/`stopDelay`). */
  advance(ticks: bigint): void;
}

export interface RigOptions {
  channelCount?: number;
  xfercapLog2?: number;
  faults?: FaultPlan;
  /** Program CHANCTRL (INT_REARM | ERR_COMPLETION_EN | ERR_INT_EN), CHANCMP and MASTER_INT_EN (default true). */
  program?: boolean;
  chanctrl?: number;
  version?: number;
  /** Engine timing (issue 13): prefetch depth, RESET and SUSPEND/ABORT delays in 100-ns ticks of the rig's clock. */
  prefetchDepth?: number;
  resetDelay?: bigint;
  stopDelay?: bigint;
}

export function makeRig(options: RigOptions = {}): Rig {
  const memory = new PhysicalMemory();
  const interrupts: number[] = [];
  const notices: EngineNotice[] = [];
  let now = 0n;
  const config: EngineConfig = {
    now: () => now,
    ...(options.prefetchDepth !== undefined ? { prefetchDepth: options.prefetchDepth } : {}),
    ...(options.resetDelay !== undefined ? { resetDelay: options.resetDelay } : {}),
    ...(options.stopDelay !== undefined ? { stopDelay: options.stopDelay } : {}),
    memory,
    channelCount: options.channelCount ?? 2,
    xfercapLog2: options.xfercapLog2 ?? 20,
    raiseInterrupt: (ch) => interrupts.push(ch),
    notify: (n) => notices.push(n),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
  };
  const engine = new IoatEngine(config);
  const completion = memory.allocateContiguous(4096);
  const descriptors = memory.allocateContiguous(64 * 64);
  const src = memory.allocateContiguous(0x10000);
  const dst = memory.allocateContiguous(0x10000);
  const base = (ch: number) => channelBlockOffset(ch);
  const rig: Rig = {
    memory,
    engine,
    interrupts,
    notices,
    completion,
    descriptors,
    src,
    dst,
    slot: (i) => descriptors + BigInt(64 * i),
    reg: (ch, name) => engine.mmioRead(base(ch) + CHANNEL_REGISTERS[name].offset, CHANNEL_REGISTERS[name].size),
    setReg: (ch, name, value) =>
      engine.mmioWrite(base(ch) + CHANNEL_REGISTERS[name].offset, CHANNEL_REGISTERS[name].size, BigInt(value)),
    cmd: (ch, c) => engine.mmioWrite(base(ch) + CHANNEL_REGISTERS.CHANCMD.offset, 1, BigInt(CHANCMD[c])),
    writeDescriptor: (i, d) => {
      const pa = descriptors + BigInt(64 * i);
      memory.write(pa, encodeDescriptor(d));
      return pa;
    },
    run: (ch = 0, limit = 1000) => {
      const out: EngineStepEvent[] = [];
      for (let k = 0; k < limit && engine.runnableChannels().includes(ch); k++) {
        const e = engine.step(ch);
        if (e) out.push(e);
      }
      return out;
    },
    completionWord: () => memory.readU64(completion),
    advance: (ticks) => {
      now += ticks;
    },
  };
  if (options.program ?? true) {
    engine.mmioWrite(GENERAL_REGISTERS.INTRCTRL.offset, 1, BigInt(INTRCTRL.MASTER_INT_EN));
    for (let ch = 0; ch < engine.channelCount; ch++) {
      rig.setReg(ch, 'CHANCTRL', options.chanctrl ?? CHANCTRL.INT_REARM | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.ERR_INT_EN);
      rig.setReg(ch, 'CHANCMP', completion + BigInt(64 * ch));
    }
  }
  return rig;
}

/** Fills `length` bytes at `pa` with a recognisable non-zero pattern. */
export function fillPattern(memory: PhysicalMemory, pa: bigint, length: number, seed = 1): void {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed * 13 + (i >> 8)) & 0xff || 0x5a;
  memory.write(pa, bytes);
}
