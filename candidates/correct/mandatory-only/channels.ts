/**
 * mandatory-only: the four mandatory handlers (Allocate, Free, Start, Append) and the affinity
 * callback. Free channels are a stack of indices; the table is guarded by an executive spin lock
 * taken at DISPATCH_LEVEL (KeRaiseIrql + KeAcquireSpinLockAtDpcLevel).
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  DISPATCH_LEVEL,
  GENERAL_REGISTERS,
  INTRCTRL,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  REGISTER_BLOCK_SIZE,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_START_HANDLER,
  type KDEFERRED_ROUTINE,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type OUT,
} from '../../../src/candidate-api';
import { MoChannel, type Mapped, type MoDevice } from './device';

export { MoChannel };

const ENABLE = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

export class MoChannels {
  constructor(private readonly k: KernelServices) {}

  /** Resets channel `slot` and waits, bounded, for the reset to finish. */
  resetSlot(map: Mapped, slot: number): boolean {
    const at = map.va + BigInt((slot + 1) * REGISTER_BLOCK_SIZE + CHANNEL_REGISTERS.CHANCMD.offset);
    this.k.WRITE_REGISTER_UCHAR(at, CHANCMD.RESET);
    for (let i = 0; i < 256; i++) {
      if ((this.k.READ_REGISTER_UCHAR(at) & CHANCMD.RESET) === 0) return true;
      this.k.KeStallExecutionProcessor(4);
    }
    return false;
  }

  private withTable<T>(dev: MoDevice, body: () => T): T {
    const old = this.k.KeRaiseIrql(DISPATCH_LEVEL);
    this.k.KeAcquireSpinLockAtDpcLevel(dev.tableLock);
    try {
      return body();
    } finally {
      this.k.KeReleaseSpinLockFromDpcLevel(dev.tableLock);
      this.k.KeLowerIrql(old);
    }
  }

  // ---- interrupts ----
  private service(ch: MoChannel): boolean {
    const k = this.k;
    const sts = k.READ_REGISTER_ULONG64(ch.reg('CHANSTS'));
    const state = Number(sts & CHANSTS_STATE_MASK);
    if (state === NetDmaTransferStatusArmed || (sts & CHANSTS_ADDRESS_MASK) === 0n) return true; // stale: nothing completed yet
    ch.lastPa = sts & CHANSTS_ADDRESS_MASK;
    if (state === NetDmaTransferStatusHalted && k.READ_REGISTER_ULONG(ch.reg('CHANERR')) !== 0) ch.error = true;
    const where: OUT<number> = {};
    k.NetDmaIsr(ch.handle, ch.lastPa, where);
    k.KeSetTargetProcessorDpc(ch.dpc, where.value ?? ch.cpu);
    k.KeInsertQueueDpc(ch.dpc, null, null);
    return true;
  }
  readonly isr: KMESSAGE_SERVICE_ROUTINE = (_i, context, message) => {
    const map = (context as MoDevice).map;
    const ch = map?.live[message];
    return ch ? this.service(ch) : false;
  };
  readonly lineIsr: KSERVICE_ROUTINE = (_i, context) => {
    const map = (context as MoDevice).map;
    if (!map) return false;
    const bits = this.k.READ_REGISTER_ULONG(map.va + BigInt(GENERAL_REGISTERS.ATTNSTATUS.offset));
    let any = false;
    for (let slot = 0; slot < map.live.length; slot++) {
      const ch = map.live[slot];
      if (ch && (bits & (1 << slot)) !== 0) any = this.service(ch) || any;
    }
    return any;
  };
  private readonly dpc: KDEFERRED_ROUTINE = (_d, context) => {
    const ch = context as MoChannel;
    if (!ch.open || ch.dev.map !== ch.map) return;
    const k = this.k;
    if (ch.error) {
      ch.error = false; // CHANERR stays set: the halted channel reports NULL on every interrupt
      k.NetDmaInterruptDpc(ch.handle, 0n);
    } else {
      k.NetDmaInterruptDpc(ch.handle, ch.lastPa);
    }
    k.WRITE_REGISTER_USHORT(ch.reg('CHANCTRL'), ENABLE);
  };

  // ---- handlers ----
  readonly SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (context, array, bytes) => {
    const dev = context as MoDevice;
    dev.affinity.clear();
    array.slice(0, Math.floor(bytes / 8)).forEach((a) => dev.affinity.set(a.DmaChannel, a.CpuNumber));
    return STATUS_SUCCESS;
  };

  readonly AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, handle, out) => {
    const dev = context as MoDevice;
    const map = dev.map;
    if (!map) return STATUS_UNSUCCESSFUL;
    const mask = params.ProcessorAffinityMask >>> 0;
    const fits = (cpu: number) => ((mask >>> cpu) & 1) === 1;
    const slot = this.withTable(dev, () => {
      if (map.free.length === 0) return -1;
      const at = map.free.findIndex((s) => fits(map.cpuOf[s]!));
      return map.free.splice(at < 0 ? map.free.length - 1 : at, 1)[0]!;
    });
    if (slot < 0) return STATUS_INSUFFICIENT_RESOURCES;
    let cpu = map.cpuOf[slot]!;
    if (!fits(cpu)) cpu = 31 - Math.clz32(mask & -mask);
    const ch = new MoChannel(dev, map, slot, handle, cpu, params.CompletionPhysicalAddress);
    this.k.KeInitializeDpc(ch.dpc, this.dpc, ch);
    this.k.KeSetTargetProcessorDpc(ch.dpc, cpu);
    if (!this.bind(ch)) {
      this.withTable(dev, () => map.free.push(slot));
      return STATUS_UNSUCCESSFUL;
    }
    this.withTable(dev, () => {
      map.live[slot] = ch;
    });
    params.CpuNumber = cpu;
    out.value = ch;
    return STATUS_SUCCESS;
  };

  /**
   * Puts `ch`'s engine channel in the state NetDMA expects of a just-allocated channel: reset, its
   * completion address in CHANCMP, interrupts and error handling on in CHANCTRL, and an empty
   * counted chain. Used at allocation and again for every live channel after a power loss.
   */
  private bind(ch: MoChannel): boolean {
    if (!this.resetSlot(ch.map, ch.slot)) return false;
    this.k.WRITE_REGISTER_ULONG64(ch.reg('CHANCMP'), ch.completionPa);
    this.k.WRITE_REGISTER_USHORT(ch.reg('CHANCTRL'), ENABLE);
    ch.tail = 0;
    ch.lastPa = 0n;
    ch.error = false;
    return true;
  }

  /**
   * Back in D0 after the engine lost power (PASSIVE_LEVEL, from the power work item): binds every
   * live channel again exactly as its allocation did, then re-enables the engine's interrupts. Free
   * slots are left as the power loss left them; allocation binds them when they are handed out.
   */
  rebindAll(dev: MoDevice, map: Mapped): void {
    const live = this.withTable(dev, () => map.live.filter((c): c is MoChannel => c !== null && c.open));
    for (const ch of live) this.bind(ch); // a slot that will not reset stays dark: NetDMA's restart shows it
    this.k.WRITE_REGISTER_UCHAR(map.va + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), INTRCTRL.MASTER_INT_EN);
  }

  readonly FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const ch = context as MoChannel;
    ch.open = false;
    this.k.KeRemoveQueueDpc(ch.dpc);
    if (ch.dev.map === ch.map) {
      this.resetSlot(ch.map, ch.slot);
      this.k.WRITE_REGISTER_USHORT(ch.reg('CHANCTRL'), 0);
    }
    this.withTable(ch.dev, () => {
      ch.map.live[ch.slot] = null;
      ch.map.free.push(ch.slot);
    });
  };

  readonly StartDma: DMA_START_HANDLER = (context, _va, pa, count) => {
    const ch = context as MoChannel;
    if (!ch.open || ch.dev.map !== ch.map) return STATUS_UNSUCCESSFUL;
    this.k.WRITE_REGISTER_ULONG64(ch.reg('CHAINADDR'), pa);
    this.kick(ch, count, CHANCMD.START);
    return STATUS_SUCCESS;
  };

  readonly AppendDma: DMA_APPEND_HANDLER = (context, _va, _pa, count) => {
    const ch = context as MoChannel;
    if (!ch.open || ch.dev.map !== ch.map) return STATUS_UNSUCCESSFUL;
    this.kick(ch, count, CHANCMD.APPEND);
    return STATUS_SUCCESS;
  };

  /** 2.0 counted chains: DMACOUNT += count; 1.x linked chains: the START or APPEND strobe. */
  private kick(ch: MoChannel, count: number, strobe: number): void {
    if (ch.dev.version >= 0x200) {
      ch.tail = (ch.tail + count) & 0xffff;
      this.k.WRITE_REGISTER_USHORT(ch.reg('DMACOUNT'), ch.tail);
    } else {
      this.k.WRITE_REGISTER_UCHAR(ch.reg('CHANCMD'), strobe);
    }
  }
}
