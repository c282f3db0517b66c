/**
 * Figure 1: simulated copy-engine throughput over `Buffer.copy`.
 *
 * The engine runs the full path: the channel is programmed through its registers
 * (CHANCTRL, CHANCMP, CHAINADDR, CHANCMD START — a linked chain, see
 * src/hardware/commands.ts), then stepped to the end; each step fetches a descriptor from
 * simulated memory, validates it, copies, and writes the completion word (every descriptor
 * has STATUS_UPDATE_ON_COMPLETION). The baseline copies the same bytes, descriptor by
 * descriptor, between two Buffers of the same sizes with `Buffer.copy`.
 *
 * @module
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  channelBlockOffset,
  encodeDescriptorInto,
  IoatEngine,
  NET_DMA_DESCRIPTOR_SIZE,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  PhysicalMemory,
} from '../src/hardware';
import { fillSourcePattern } from '../src/model/datapath';
import { calibrate, measurePair, rate, warmUp } from './stats';
import type { PairSamples } from './stats';

/** One prepared engine copy benchmark: a chain of `count` descriptors of `size` bytes each. */
export interface EngineRig {
  readonly size: number;
  readonly count: number;
  /** Runs the chain `iterations` times through the registers. */
  runEngine(iterations: number): void;
  /** Copies the same bytes `iterations` times with Buffer.copy. */
  runBaseline(iterations: number): void;
  /** Throws unless the engine's destination equals its source and the chain ended idle with the right completion word. */
  verify(): void;
}

const CH = 0;
const reg = (name: keyof typeof CHANNEL_REGISTERS): number => channelBlockOffset(CH) + CHANNEL_REGISTERS[name].offset;

/** Descriptors per chain: enough for about 4 MiB per chain (at most 1024, at least 4). */
export function chainLength(size: number): number {
  return Math.max(4, Math.min(1024, Math.floor((4 << 20) / size)));
}

/** Builds the engine, its memory, the chain and the baseline buffers for `size`-byte descriptors. */
export function makeEngineRig(size: number, count = chainLength(size)): EngineRig {
  const memory = new PhysicalMemory();
  const engine = new IoatEngine({ memory, channelCount: 1, xfercapLog2: 0, raiseInterrupt: () => undefined });
  const total = size * count;
  const src = memory.allocateContiguous(total);
  const dst = memory.allocateContiguous(total);
  const ring = memory.allocateContiguous(count * NET_DMA_DESCRIPTOR_SIZE);
  const cmp = memory.allocateContiguous(64, 64);
  fillSourcePattern(memory.view(src, total), 0, total);
  const descriptors = memory.view(ring, count * NET_DMA_DESCRIPTOR_SIZE);
  for (let i = 0; i < count; i++) {
    encodeDescriptorInto(descriptors, i * NET_DMA_DESCRIPTOR_SIZE, {
      TransferSize: size,
      ControlFlags: NET_DMA_STATUS_UPDATE_ON_COMPLETION,
      SourceAddress: src + BigInt(i * size),
      DestinationAddress: dst + BigInt(i * size),
      NextDescriptor: i + 1 < count ? ring + BigInt((i + 1) * NET_DMA_DESCRIPTOR_SIZE) : 0n,
    });
  }
  const baseSrc = Buffer.alloc(total);
  const baseDst = Buffer.alloc(total);
  fillSourcePattern(baseSrc, 0, total);
  const chanctrl = BigInt(CHANCTRL.IN_USE | CHANCTRL.ERR_COMPLETION_EN);

  const runEngine = (iterations: number): void => {
    for (let it = 0; it < iterations; it++) {
      engine.mmioWrite(reg('CHANCTRL'), 2, chanctrl);
      engine.mmioWrite(reg('CHANCMP'), 8, cmp);
      engine.mmioWrite(reg('CHAINADDR'), 8, ring);
      engine.mmioWrite(reg('CHANCMD'), 1, BigInt(CHANCMD.START));
      while (engine.step(CH) !== undefined);
      // The write log is on, as in a checked run; one chain's worth is kept at a time.
      memory.writeLog.resetLog();
    }
  };
  const runBaseline = (iterations: number): void => {
    for (let it = 0; it < iterations; it++) {
      for (let i = 0, off = 0; i < count; i++, off += size) baseSrc.copy(baseDst, off, off, off + size);
    }
  };
  const verify = (): void => {
    memory.fill(dst, total, 0);
    runEngine(1);
    if (Buffer.compare(memory.view(src, total), memory.view(dst, total)) !== 0) throw new Error(`engine ${size} B: destination differs from source`);
    const snap = engine.channelSnapshot(CH);
    if (snap.state !== 'idle' || snap.chanerr !== 0) throw new Error(`engine ${size} B: chain ended ${snap.state}, CHANERR 0x${snap.chanerr.toString(16)}`);
    const last = ring + BigInt((count - 1) * NET_DMA_DESCRIPTOR_SIZE);
    if (memory.readU64(cmp) !== (last | 1n)) throw new Error(`engine ${size} B: completion word 0x${memory.readU64(cmp).toString(16)}, expected Idle at the tail`);
    baseDst.fill(0);
    runBaseline(1);
    if (Buffer.compare(baseSrc, baseDst) !== 0) throw new Error('baseline copy differs');
  };
  return { size, count, runEngine, runBaseline, verify };
}

/** Result of figure 1 at one size: bytes per second of each side, per round. */
export interface EngineFigure {
  readonly size: number;
  readonly descriptorsPerChain: number;
  readonly samples: PairSamples;
}

/**
 * Measures engine vs Buffer.copy at `size` over `rounds` interleaved rounds of about `sampleMs`
 * each, after `warmupMs` of warm-up of each side.
 */
export function benchEngine(size: number, rounds: number, sampleMs: number, warmupMs = 0): EngineFigure {
  const rig = makeEngineRig(size);
  rig.verify();
  const bytes = size * rig.count;
  warmUp(rig.runEngine, warmupMs);
  warmUp(rig.runBaseline, warmupMs);
  const nEngine = calibrate(rig.runEngine, sampleMs);
  const nBase = calibrate(rig.runBaseline, sampleMs);
  const samples = measurePair(
    rounds,
    () => rate(rig.runEngine, nEngine, bytes),
    () => rate(rig.runBaseline, nBase, bytes),
  );
  return { size, descriptorsPerChain: rig.count, samples };
}
