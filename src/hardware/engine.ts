/**
 * The simulated I/OAT-class copy engine as one PCI function: configuration space, BAR0
 * MMIO dispatch, channels and interrupt logic.
 *
 * Simulated time: `mmioWrite` only changes registers and channel state (plus the completion
 * word of a SUSPEND or ABORT and interrupts that fire on re-arm); descriptors are processed
 * only by {@link IoatEngine.step}, one per call, so the caller's scheduler decides how the
 * engine interleaves with the driver. Nothing depends on wall-clock time or randomness.
 *
 * @module
 */
import { assertNever } from '../util/assert-never';
import { chanstsValue, createChannelRegs, powerOnChannelRegs, snapshotChannel } from './channel';
import type { ChannelRegs, ChannelSnapshot } from './channel';
import { completePendingReset, executeCommand, settleLatched, writeChainAddr, writeChanctrl, writeDmaCount } from './commands';
import type { EngineContext } from './context';
import { channelRunnable, stepChannel } from './dma';
import type { EngineNotice, EngineStepEvent } from './events';
import { NO_FAULTS, resetHangs } from './faults';
import type { FaultPlan } from './faults';
import { InterruptUnit } from './interrupts';
import type { PhysicalMemory } from './memory';
import { buildConfigSpace } from './pci';
import { bar0Length, DCACTRL_WRITABLE_MASK, decodeChanCmd, INTRCTRL, locateRegister, MAX_CHANNELS } from './registers';
import type { ChannelRegisterName, GeneralRegisterName } from './registers';

const NO_CHANNELS: readonly number[] = Object.freeze([]);

/** Construction parameters of {@link IoatEngine}. */
export interface EngineConfig {
  /** The physical memory the engine reads descriptors from and copies within. */
  readonly memory: PhysicalMemory;
  /** CHANCNT, 1..16. */
  readonly channelCount: number;
  /** XFERCAP (0..31): transfers above 2^xfercapLog2 bytes are a length error; 0 means no limit. */
  readonly xfercapLog2: number;
  /** VER (default 0x30). The register layout is always the version-3 one. */
  readonly version?: number;
  /** PCI vendor id (default 0x8086). */
  readonly vendorId?: number;
  /** PCI device id (default 0x3C20). */
  readonly deviceId?: number;
  /**
   * Whether the engine does DCA (default true): advertised by {@link ENGINE_FEATURE_DCA} in the
   * vendor-specific PCI capability. Without it DCACTRL is absent (reads 0, writes ignored),
   * context changes retarget nothing and no write carries a DCA hint.
   */
  readonly dca?: boolean;
  /** Called, synchronously, when the engine raises MSI-X message `channel`. */
  raiseInterrupt(channel: number): void;
  /** Initial fault plan. */
  readonly faults?: FaultPlan;
  /**
   * Whether plain copies take the number-arithmetic path (default true). Both paths give the
   * same result (the engine property checks it); false forces the general path everywhere.
   */
  readonly fastPath?: boolean;
  /**
   * Prefetch depth (default 0): how many descriptors the engine fetches ahead of the one it
   * processes next (see dma.ts, *Prefetch*). 0 reads each descriptor when it is processed.
   */
  readonly prefetchDepth?: number;
  /**
   * How long an accepted RESET takes (simulated interrupt time, 100-ns units; default 0: at the
   * write). Needs {@link EngineConfig.now}. See commands.ts, *Command timing*.
   */
  readonly resetDelay?: bigint;
  /** How long an accepted SUSPEND or ABORT takes (100-ns units; default 0). Needs {@link EngineConfig.now}. */
  readonly stopDelay?: bigint;
  /** The machine's interrupt time (100-ns units), for command delays (default: time never moves, delays are 0). */
  now?(): bigint;
  /** Optional observer of register-write effects (commands, completion words, re-arm interrupts). */
  notify?(notice: EngineNotice): void;
}

/** Thrown on an MMIO access outside BAR0, not naturally aligned, of a bad width, or straddling registers. */
export class MmioAccessError extends Error {
  override readonly name = 'MmioAccessError';
}

/** Valid MMIO access widths in bytes. */
export type MmioWidth = 1 | 2 | 4 | 8;

/**
 * The simulated copy engine.
 *
 * BAR0 follows the version-3 I/OAT layout (see registers.ts). 64-bit registers can be
 * accessed whole or as 32-bit halves (any naturally aligned part of a register can be read
 * or written; a partial write merges into the register and then takes effect). Reading the
 * low half of CHANSTS latches the high half for the next high-half read. Writes to
 * read-only registers and to reserved offsets are ignored; reserved offsets read 0.
 *
 * **DCA (Direct Cache Access).** Each channel has two DCA targets, both APIC ids (this machine
 * defines APIC id = CPU number):
 * - DCACTRL (channel offset 0x30) is the completion-write binding the driver programs, e.g. at
 *   ProviderAllocateDmaChannel with the channel's CpuNumber: `CMPL_WRITE_ENABLE | cpu`.
 * - A context-change descriptor (op type 0xFF, TransferSize bits 7:0 = APIC id) retargets the
 *   channel: from then on destination writes of DESTINATION_DCA_ENABLE copies and (with
 *   CMPL_WRITE_ENABLE) completion-status writes carry hints to its APIC id, until the next
 *   context change, a CHANCMD RESET (which forgets it; DCACTRL stays) or a function reset
 *   (which clears both).
 * Completion writes report their hint target (`CompletionWrite.dcaTarget`), copies theirs
 * (`dcaTarget`), and `channelSnapshot()` shows DCACTRL, the context-change target and the
 * current completion target, so every binding is checkable.
 *
 * DCA is a capability ({@link EngineConfig.dca}, advertised in PCI config space, see pci.ts). An
 * engine without it has no DCACTRL (reads 0, writes ignored); a context-change descriptor still
 * completes as one (no data moved) but retargets nothing; no write carries a hint.
 */
export class IoatEngine {
  /** 256-byte PCI configuration space (vendor id u16 LE at 0, device id at 2). */
  readonly configSpace: Uint8Array;
  /** BAR0 length: `0x80 * (channelCount + 1)`. */
  readonly bar0Length: number;
  readonly channelCount: number;
  readonly xfercapLog2: number;
  readonly version: number;
  /** The engine does DCA (see {@link EngineConfig.dca}). */
  readonly dca: boolean;
  /** Descriptors fetched ahead (see {@link EngineConfig.prefetchDepth}). */
  readonly prefetchDepth: number;
  readonly memory: PhysicalMemory;
  readonly #channels: ChannelRegs[];
  readonly #interrupts: InterruptUnit;
  readonly #ctx: EngineContext;
  #faults: FaultPlan;
  #intrdelay = 0;

  constructor(config: EngineConfig) {
    if (!Number.isInteger(config.channelCount) || config.channelCount < 1 || config.channelCount > MAX_CHANNELS) {
      throw new RangeError(`channelCount ${config.channelCount} must be 1..${MAX_CHANNELS}`);
    }
    if (!Number.isInteger(config.xfercapLog2) || config.xfercapLog2 < 0 || config.xfercapLog2 > 31) {
      throw new RangeError(`xfercapLog2 ${config.xfercapLog2} must be 0..31`);
    }
    this.memory = config.memory;
    this.channelCount = config.channelCount;
    this.xfercapLog2 = config.xfercapLog2;
    this.version = (config.version ?? 0x30) & 0xff;
    this.dca = config.dca ?? true;
    this.bar0Length = bar0Length(config.channelCount);
    this.configSpace = buildConfigSpace({
      vendorId: config.vendorId ?? 0x8086,
      deviceId: config.deviceId ?? 0x3c20,
      revision: this.version,
      channelCount: config.channelCount,
      dca: this.dca,
    });
    this.#faults = config.faults ?? NO_FAULTS;
    this.#interrupts = new InterruptUnit((ch) => config.raiseInterrupt(ch));
    const depth = config.prefetchDepth ?? 0;
    if (!Number.isInteger(depth) || depth < 0 || depth > 16) throw new RangeError(`prefetchDepth ${depth} must be 0..16`);
    this.prefetchDepth = depth;
    this.#channels = Array.from({ length: config.channelCount }, (_, i) => createChannelRegs(i, depth));
    const notify = config.notify?.bind(config);
    const now = config.now?.bind(config);
    const timed = now !== undefined;
    this.#ctx = {
      memory: config.memory,
      xfercapLog2: config.xfercapLog2,
      dca: this.dca,
      interrupts: this.#interrupts,
      fastPath: config.fastPath ?? true,
      faults: () => this.#faults,
      notify: notify ?? (() => undefined),
      resetDelay: timed ? (config.resetDelay ?? 0n) : 0n,
      stopDelay: timed ? (config.stopDelay ?? 0n) : 0n,
      now: now ?? (() => 0n),
    };
  }

  /**
   * The engine channel (other than none) whose 64-bit address register `register` holds `pa`'s low
   * dword under another high dword — `pa` truncated to 32 bits, or its high dword stale — or -1.
   * Reads the registers in place (no snapshot).
   */
  truncatedAddressChannel(register: 'CHANCMP' | 'CHAINADDR', pa: bigint): number {
    const low = pa & 0xffff_ffffn;
    for (const ch of this.#channels) {
      const v = register === 'CHANCMP' ? ch.chancmp : ch.chainAddr;
      if (v !== pa && (v & 0xffff_ffffn) === low) return ch.index;
    }
    return -1;
  }

  /** ATTNSTATUS as it stands (without the read that clears it): the channels that raised an interrupt since it was last read. */
  get attentionStatus(): number {
    return this.#interrupts.attnStatus;
  }

  /** Reads `width` bytes of BAR0 at `offset` (little-endian value). */
  mmioRead(offset: number, width: MmioWidth): bigint {
    // Register accesses are a hot path (every READ_REGISTER_* of a run): plain switches, no
    // ts-pattern builder per access.
    const loc = this.#locate(offset, width);
    switch (loc.block) {
      case 'reserved':
        return 0n;
      case 'general':
        return part(this.#readGeneral(loc.name), loc.byteOffset, width);
      case 'channel': {
        const ch = this.#channels[loc.channel]!;
        settleLatched(this.#ctx, ch);
        return this.#readChannel(ch, loc.name, loc.byteOffset, width);
      }
    }
  }

  /** Writes the low `width` bytes of `value` to BAR0 at `offset`. */
  mmioWrite(offset: number, width: MmioWidth, value: bigint): void {
    const loc = this.#locate(offset, width);
    const v = BigInt.asUintN(width * 8, value);
    switch (loc.block) {
      case 'reserved':
        return;
      case 'general':
        return this.#writeGeneral(loc.name, loc.byteOffset, width, v);
      case 'channel': {
        const ch = this.#channels[loc.channel]!;
        settleLatched(this.#ctx, ch);
        // A channel in reset takes no write (commands.ts, *Command timing*); a hung reset keeps the old behaviour.
        if (ch.latched === 'reset') {
          this.#ctx.notify({ kind: 'write-dropped', ch: ch.index, register: loc.name, value: v, text: `ch${ch.index} ${loc.name} write 0x${v.toString(16)} dropped: RESET in progress` });
          return;
        }
        return this.#writeChannel(ch, loc.name, loc.byteOffset, width, v);
      }
    }
  }

  /** Channels that can process a descriptor now (active, not stalled by a fault, no reset pending). */
  runnableChannels(): readonly number[] {
    // Called at every preemption point of a run: one array, no closures, and a shared empty result.
    let out: number[] | undefined;
    for (const ch of this.#channels) {
      if (ch.latched !== 'none') settleLatched(this.#ctx, ch);
      if (channelRunnable(this.#ctx, ch)) (out ??= []).push(ch.index);
    }
    return out ?? NO_CHANNELS;
  }

  /**
   * Advances channel `ch` by one descriptor: resolve, fetch, validate, copy (or NULL /
   * context change), completion write, interrupt — or halt on an error. Returns what
   * happened, or `undefined` when the channel cannot make progress. See dma.ts.
   */
  step(ch: number): EngineStepEvent | undefined {
    const regs = this.#channel(ch);
    if (regs.latched !== 'none') settleLatched(this.#ctx, regs);
    return stepChannel(this.#ctx, regs);
  }

  /** Snapshot of channel `ch` (a latched command whose time has come takes effect first). */
  channelSnapshot(ch: number): ChannelSnapshot {
    const regs = this.#channel(ch);
    if (regs.latched !== 'none') settleLatched(this.#ctx, regs);
    return snapshotChannel(regs);
  }

  /**
   * Function-level reset (power loss, FLR): every channel back to the power-on state (all
   * registers 0 including CHANCTRL, CHANCMP and DCACTRL, no DCA target, state armed),
   * INTRCTRL, ATTNSTATUS and INTRDELAY 0. Pending and latched commands are gone, the prefetch
   * windows empty. Fetch ordinals and the
   * fault plan are kept. The kernel's PCI bus driver calls it when a SET_POWER D3 reaches it
   * (bus-driver.ts): the driver must re-program the engine after D0 (PWR-07, PWR-09).
   */
  resetFunction(): void {
    for (const ch of this.#channels) powerOnChannelRegs(ch);
    this.#interrupts.reset();
    this.#intrdelay = 0;
  }

  /** Replaces the fault plan. Resets held back by a removed `reset-hang` rule complete now. */
  setFaults(plan: FaultPlan): void {
    this.#faults = plan;
    for (const ch of this.#channels) {
      if (ch.resetPending && !resetHangs(plan, ch.index)) completePendingReset(ch);
    }
  }

  /** The current fault plan. */
  get faults(): FaultPlan {
    return this.#faults;
  }

  #channel(ch: number): ChannelRegs {
    const regs = this.#channels[ch];
    if (regs === undefined) throw new RangeError(`no channel ${ch} (CHANCNT ${this.channelCount})`);
    return regs;
  }

  #locate(offset: number, width: number) {
    if (width !== 1 && width !== 2 && width !== 4 && width !== 8) throw new MmioAccessError(`bad MMIO width ${width}`);
    if (!Number.isInteger(offset) || offset < 0 || offset + width > this.bar0Length) {
      throw new MmioAccessError(`MMIO access at 0x${offset.toString(16)}/${width} outside BAR0 (length 0x${this.bar0Length.toString(16)})`);
    }
    if (offset % width !== 0) throw new MmioAccessError(`MMIO access at 0x${offset.toString(16)}/${width} not naturally aligned`);
    const loc = locateRegister(offset, width, this.channelCount);
    if (loc === undefined) throw new MmioAccessError(`MMIO access at 0x${offset.toString(16)}/${width} straddles registers`);
    return loc;
  }

  #readGeneral(name: GeneralRegisterName): bigint {
    switch (name) {
      case 'CHANCNT':
        return BigInt(this.channelCount & 0x1f);
      case 'XFERCAP':
        return BigInt(this.xfercapLog2 & 0x1f);
      case 'INTRCTRL':
        return BigInt(this.#interrupts.intrctrl | (this.#interrupts.attnStatus !== 0 ? INTRCTRL.INT_STATUS : 0));
      case 'ATTNSTATUS':
        return BigInt(this.#interrupts.readAttention());
      case 'VER':
        return BigInt(this.version);
      case 'INTRDELAY':
        return BigInt(this.#intrdelay);
      default:
        return assertNever(name);
    }
  }

  #writeGeneral(name: GeneralRegisterName, byteOffset: number, width: number, value: bigint): void {
    switch (name) {
      case 'INTRCTRL': {
        const v = Number(merge(BigInt(this.#interrupts.intrctrl), byteOffset, width, value));
        this.#interrupts.intrctrl = v & (INTRCTRL.MASTER_INT_EN | INTRCTRL.INT | INTRCTRL.MSIX_VECTOR_CONTROL);
        for (const ch of this.#channels) {
          if (this.#interrupts.firePending(ch)) {
            this.#ctx.notify({ kind: 'interrupt', ch: ch.index, reason: 'master-enable', text: `ch${ch.index} MASTER_INT_EN set: pending interrupt raised` });
          }
        }
        return;
      }
      case 'INTRDELAY':
        this.#intrdelay = Number(merge(BigInt(this.#intrdelay), byteOffset, width, value)) & 0x3fff;
        return;
      case 'CHANCNT':
      case 'XFERCAP':
      case 'ATTNSTATUS':
      case 'VER':
        return;
      default:
        return assertNever(name);
    }
  }

  #readChannel(ch: ChannelRegs, name: ChannelRegisterName, byteOffset: number, width: number): bigint {
    switch (name) {
      case 'CHANCTRL':
        return part(BigInt(ch.chanctrl), byteOffset, width);
      case 'CHANCMD':
        return ch.resetPending ? 0x20n : 0n;
      case 'DMACOUNT':
        return part(BigInt(ch.dmaCount), byteOffset, width);
      case 'CHANSTS': {
        const now = chanstsValue(ch);
        if (byteOffset === 0 && width === 4) {
          ch.chanstsLatch = now;
          return part(now, 0, 4);
        }
        if (byteOffset === 4 && width === 4 && ch.chanstsLatch !== undefined) {
          const latched = ch.chanstsLatch;
          ch.chanstsLatch = undefined;
          return part(latched, 4, 4);
        }
        return part(now, byteOffset, width);
      }
      case 'CHAINADDR':
        return part(ch.chainAddr, byteOffset, width);
      case 'CHANCMP':
        return part(ch.chancmp, byteOffset, width);
      case 'CDAR':
        return part(ch.cdar, byteOffset, width);
      case 'CHANERR':
        return part(BigInt(ch.chanerr), byteOffset, width);
      case 'CHANERR_MASK':
        return part(BigInt(ch.chanerrMask), byteOffset, width);
      case 'DCACTRL':
        // Absent on an engine without DCA: reads 0 like a reserved offset.
        return this.dca ? part(BigInt(ch.dcactrl), byteOffset, width) : 0n;
    }
  }

  #writeChannel(ch: ChannelRegs, name: ChannelRegisterName, byteOffset: number, width: number, value: bigint): void {
    const ctx = this.#ctx;
    switch (name) {
      case 'CHANCTRL':
        return writeChanctrl(ctx, ch, Number(merge(BigInt(ch.chanctrl), byteOffset, width, value)));
      case 'CHANCMD':
        return executeCommand(ctx, ch, decodeChanCmd(Number(value)));
      case 'DMACOUNT':
        return writeDmaCount(ctx, ch, Number(merge(BigInt(ch.dmaCount), byteOffset, width, value)));
      case 'CHAINADDR':
        return writeChainAddr(ch, merge(ch.chainAddr, byteOffset, width, value));
      case 'CHANCMP':
        ch.chancmp = merge(ch.chancmp, byteOffset, width, value);
        return;
      case 'CHANERR':
        ch.chanerr = (ch.chanerr & ~Number(merge(0n, byteOffset, width, value))) >>> 0;
        return;
      case 'CHANERR_MASK':
        ch.chanerrMask = Number(merge(BigInt(ch.chanerrMask), byteOffset, width, value)) >>> 0;
        return;
      case 'DCACTRL':
        // Absent on an engine without DCA: writes are ignored like a reserved offset.
        if (this.dca) ch.dcactrl = Number(merge(BigInt(ch.dcactrl), byteOffset, width, value)) & DCACTRL_WRITABLE_MASK;
        return;
      case 'CHANSTS':
      case 'CDAR':
        return;
    }
  }
}

/** Bytes `[byteOffset, byteOffset + width)` of a register value. */
function part(value: bigint, byteOffset: number, width: number): bigint {
  return BigInt.asUintN(width * 8, value >> BigInt(byteOffset * 8));
}

/** `old` with bytes `[byteOffset, byteOffset + width)` replaced by `value`. */
function merge(old: bigint, byteOffset: number, width: number, value: bigint): bigint {
  const shift = BigInt(byteOffset * 8);
  const mask = ((1n << BigInt(width * 8)) - 1n) << shift;
  return (old & ~mask) | ((value << shift) & mask);
}
