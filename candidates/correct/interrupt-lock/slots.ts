/**
 * interrupt-lock: the engine and its channels. Channel bookkeeping is a fixed per-channel array of
 * slots built at START; every change to a slot's ownership or interrupt state is made under the
 * interrupt spin lock (KeSynchronizeExecution / KeAcquireInterruptSpinLock), which also serialises
 * it against the ISR. There is no executive spin lock in this driver.
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  GENERAL_REGISTERS,
  INTRCTRL,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  NonPagedPoolNx,
  REGISTER_BLOCK_SIZE,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type DEVICE_OBJECT,
  type DMA_ABORT_HANDLER,
  type DMA_APPEND_HANDLER,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DMA_CHANNELS_CPU_AFFINITY_HANDLER,
  type DMA_RESET_HANDLER,
  type DMA_RESUME_HANDLER,
  type DMA_START_HANDLER,
  type DMA_SUSPEND_HANDLER,
  type IO_INTERRUPT_MESSAGE_INFO,
  type IO_WORKITEM,
  type KDEFERRED_ROUTINE,
  type KDPC,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KSYNCHRONIZE_ROUTINE,
  type KernelServices,
  type NET_DMA_CHANNEL_HANDLE,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_HANDLE,
  type OUT,
} from '../../../src/candidate-api';

/** Pool tag 'IlCk'. */
export const IL_TAG = 0x6b43_6c49;
export const IL_MAX_CHANNELS = 16;
const CTRL_RUN = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

/** One hardware channel, allocated or not. */
export interface Slot {
  readonly hw: Hardware;
  readonly n: number;
  readonly dpc: KDPC;
  readonly storage: Uint8Array;
  readonly messageCpu: number;
  /** NetDMA's handle while allocated, null while free. Changed only under the interrupt lock. */
  owner: NET_DMA_CHANNEL_HANDLE | null;
  cpu: number;
  completion: bigint;
  /** ISR -> DPC hand-over, under the interrupt lock. */
  seen: bigint;
  broken: boolean;
}

export interface Hardware {
  readonly dev: Device;
  readonly bar: bigint;
  readonly span: number;
  readonly slots: Slot[];
  table: IO_INTERRUPT_MESSAGE_INFO | null;
  line: KINTERRUPT | null;
  /** The interrupt object whose spin lock guards the slots. */
  guard: KINTERRUPT | null;
  live: boolean;
}

export interface Device {
  readonly self: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly below: DEVICE_OBJECT;
  /** Registered NetDMA version as major*256+minor. */
  readonly ver: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  /** Only 1.1+ providers have power notifications to finish at PASSIVE_LEVEL. */
  readonly powerItem: IO_WORKITEM | null;
  /** Affinity table from NetDMA: index = DmaChannel. */
  affinity: Int16Array | null;
  provider: NET_DMA_PROVIDER_HANDLE | null;
  hw: Hardware | null;
  running: boolean;
  napping: boolean;
  /** The engine lost power below D0 (the bus cut it) and its slots are not re-programmed yet. */
  unpowered: boolean;
}

export const chanReg = (bar: bigint, n: number, r: keyof typeof CHANNEL_REGISTERS) => bar + BigInt(REGISTER_BLOCK_SIZE * (n + 1) + CHANNEL_REGISTERS[r].offset);

export interface SlotOps {
  readonly makeSlots: (hw: Hardware, count: number, cpus: readonly number[]) => boolean;
  readonly dropSlots: (hw: Hardware) => void;
  readonly resetRegs: (hw: Hardware, n: number) => boolean;
  /**
   * Back in D0 after a power loss, from the D0 completion routine (IRQL <= DISPATCH_LEVEL): resets
   * each owned slot's channel, then re-programs those slots and re-enables the engine's interrupts
   * in one pass under the interrupt spin lock.
   */
  readonly relight: (hw: Hardware) => void;
  readonly messageIsr: KMESSAGE_SERVICE_ROUTINE;
  readonly lineIsr: KSERVICE_ROUTINE;
  readonly SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER;
  readonly AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER;
  readonly FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER;
  readonly StartDma: DMA_START_HANDLER;
  readonly AppendDma: DMA_APPEND_HANDLER;
  readonly SuspendDma: DMA_SUSPEND_HANDLER;
  readonly ResumeDma: DMA_RESUME_HANDLER;
  readonly AbortDma: DMA_ABORT_HANDLER;
  readonly ResetChannel: DMA_RESET_HANDLER;
}

interface ClaimRequest {
  readonly hw: Hardware;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly mask: number;
  got: Slot | null;
}
interface Relight {
  readonly hw: Hardware;
  readonly stuck: ReadonlySet<number>;
}
interface Report {
  readonly slot: Slot;
  handle: NET_DMA_CHANNEL_HANDLE | null;
  pa: bigint;
  broken: boolean;
}

export function createSlotOps(k: KernelServices): SlotOps {
  const inMask = (mask: number, cpu: number) => cpu >= 0 && cpu < 32 && ((mask >>> cpu) & 1) === 1;

  const resetRegs = (hw: Hardware, n: number): boolean => {
    const cmd = chanReg(hw.bar, n, 'CHANCMD');
    k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
    let spins = 0;
    while ((k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) !== 0) {
      if (++spins > 800) return false;
      k.KeStallExecutionProcessor(1);
    }
    return true;
  };
  const program = (s: Slot) => {
    k.WRITE_REGISTER_USHORT(chanReg(s.hw.bar, s.n, 'CHANCTRL'), CTRL_RUN);
    k.WRITE_REGISTER_ULONG64(chanReg(s.hw.bar, s.n, 'CHANCMP'), s.completion);
  };

  // ---- return from a power loss ----
  /** KSYNCHRONIZE_ROUTINE: at DIRQL, holding the interrupt lock, like every other change to a slot. */
  const reprogramOwned: KSYNCHRONIZE_ROUTINE = (context) => {
    const { hw, stuck } = context as Relight;
    for (const s of hw.slots) {
      if (s.owner === null || stuck.has(s.n)) continue; // a channel that would not reset stays dark
      s.seen = 0n; // nothing the ISR captured before the power loss is still owed to NetDMA
      s.broken = false; // the power loss cleared CHANERR with the rest
      program(s);
    }
    k.WRITE_REGISTER_UCHAR(hw.bar + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), INTRCTRL.MASTER_INT_EN);
    return true;
  };
  const relight = (hw: Hardware) => {
    if (!hw.live || !hw.guard) return;
    // INTRCTRL is still 0, so the ISR cannot run while the owned channels are reset here.
    const stuck = new Set<number>();
    for (const s of hw.slots) if (s.owner !== null && !resetRegs(hw, s.n)) stuck.add(s.n);
    const req: Relight = { hw, stuck };
    k.KeSynchronizeExecution(hw.guard, reprogramOwned, req);
  };

  // ---- ISR side (runs holding the interrupt lock) ----
  const capture = (s: Slot): boolean => {
    if (s.owner === null) return false;
    const status = k.READ_REGISTER_ULONG64(chanReg(s.hw.bar, s.n, 'CHANSTS'));
    // A stale interrupt (nothing completed since allocation or reset): claimed, not reported (F12a).
    if (Number(status & CHANSTS_STATE_MASK) === NetDmaTransferStatusArmed || (status & CHANSTS_ADDRESS_MASK) === 0n) return true;
    s.seen = status & CHANSTS_ADDRESS_MASK;
    if (Number(status & CHANSTS_STATE_MASK) === NetDmaTransferStatusHalted) s.broken = s.broken || k.READ_REGISTER_ULONG(chanReg(s.hw.bar, s.n, 'CHANERR')) !== 0;
    const target: OUT<number> = {};
    k.NetDmaIsr(s.owner, s.seen, target);
    k.KeSetTargetProcessorDpc(s.dpc, target.value ?? s.cpu);
    k.KeInsertQueueDpc(s.dpc, null, null);
    return true;
  };
  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i, context, id) => {
    const hw = (context as Device).hw;
    const s = hw && hw.live ? hw.slots[id] : undefined;
    return s ? capture(s) : false;
  };
  const lineIsr: KSERVICE_ROUTINE = (_i, context) => {
    const hw = (context as Device).hw;
    if (!hw || !hw.live) return false;
    const attn = k.READ_REGISTER_ULONG(hw.bar + BigInt(GENERAL_REGISTERS.ATTNSTATUS.offset));
    let mine = false;
    hw.slots.forEach((s) => {
      if ((attn >>> s.n) & 1) mine = capture(s) || mine;
    });
    return mine;
  };

  // ---- DPC: snapshot under the interrupt lock, report outside it ----
  const takeReport: KSYNCHRONIZE_ROUTINE = (context) => {
    const r = context as Report;
    r.handle = r.slot.owner;
    r.pa = r.slot.seen;
    r.broken = r.slot.broken;
    r.slot.broken = false;
    return r.handle !== null;
  };
  const dpcRoutine: KDEFERRED_ROUTINE = (_d, context) => {
    const s = context as Slot;
    if (!s.hw.live || !s.hw.guard) return;
    const r: Report = { slot: s, handle: null, pa: 0n, broken: false };
    if (!k.KeSynchronizeExecution(s.hw.guard, takeReport, r) || r.handle === null) return;
    // CHANERR is left set (RESET clears it), so a channel halted on an error keeps reporting NULL.
    k.NetDmaInterruptDpc(r.handle, r.broken ? 0n : r.pa);
    k.WRITE_REGISTER_USHORT(chanReg(s.hw.bar, s.n, 'CHANCTRL'), CTRL_RUN);
  };

  const makeSlots = (hw: Hardware, count: number, cpus: readonly number[]): boolean => {
    for (let n = 0; n < count; n++) {
      const storage = k.ExAllocatePoolWithTag(NonPagedPoolNx, 96, IL_TAG);
      if (storage === null) {
        dropSlots(hw);
        return false;
      }
      const dpc: KDPC = {};
      const s: Slot = { hw, n, dpc, storage, messageCpu: cpus[n] ?? 0, owner: null, cpu: 0, completion: 0n, seen: 0n,  broken: false };
      k.KeInitializeDpc(dpc, dpcRoutine, s);
      hw.slots.push(s);
    }
    return true;
  };
  const dropSlots = (hw: Hardware) => {
    for (const s of hw.slots.splice(0)) {
      k.KeRemoveQueueDpc(s.dpc);
      k.ExFreePoolWithTag(s.storage, IL_TAG);
    }
  };

  // ---- handlers ----
  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (context, array, size) => {
    const dev = context as Device;
    const table = new Int16Array(IL_MAX_CHANNELS).fill(-1);
    const entries = Math.min(array.length, Math.trunc(size / 8));
    for (let i = 0; i < entries; i++) {
      const { DmaChannel, CpuNumber } = array[i]!;
      if (DmaChannel < IL_MAX_CHANNELS) table[DmaChannel] = CpuNumber;
    }
    dev.affinity = table;
    return STATUS_SUCCESS;
  };

  const claim: KSYNCHRONIZE_ROUTINE = (context) => {
    const req = context as ClaimRequest;
    const free = req.hw.slots.filter((s) => s.owner === null);
    const slot = free.find((s) => inMask(req.mask, s.messageCpu)) ?? free[0] ?? null;
    if (slot) slot.owner = req.handle;
    req.got = slot;
    return slot !== null;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, handle, out) => {
    const hw = (context as Device).hw;
    if (!hw || !hw.live || !hw.guard) return STATUS_UNSUCCESSFUL;
    const req: ClaimRequest = { hw, handle, mask: params.ProcessorAffinityMask >>> 0, got: null };
    if (!k.KeSynchronizeExecution(hw.guard, claim, req) || !req.got) return STATUS_INSUFFICIENT_RESOURCES;
    const s = req.got;
    let cpu = s.messageCpu;
    if (!inMask(req.mask, cpu)) for (cpu = 0; cpu < 31 && !inMask(req.mask, cpu); cpu++);
    s.cpu = cpu;
    s.completion = params.CompletionPhysicalAddress;
    s.seen = 0n;
    s.broken = false;
    k.KeSetTargetProcessorDpc(s.dpc, cpu);
    if (!resetRegs(hw, s.n)) {
      const irql = k.KeAcquireInterruptSpinLock(hw.guard);
      s.owner = null;
      k.KeReleaseInterruptSpinLock(hw.guard, irql);
      return STATUS_UNSUCCESSFUL;
    }
    program(s);
    params.CpuNumber = cpu;
    out.value = s;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
    const s = context as Slot;
    if (s.hw.live && s.hw.guard) {
      const irql = k.KeAcquireInterruptSpinLock(s.hw.guard);
      s.owner = null; // the ISR ignores the channel from here on
      k.KeReleaseInterruptSpinLock(s.hw.guard, irql);
      k.KeRemoveQueueDpc(s.dpc);
      resetRegs(s.hw, s.n);
      k.WRITE_REGISTER_USHORT(chanReg(s.hw.bar, s.n, 'CHANCTRL'), 0);
    } else {
      s.owner = null;
      k.KeRemoveQueueDpc(s.dpc);
    }
  };

  const ok = (s: Slot) => s.hw.live && s.owner !== null;
  const strobe = (s: Slot, c: number) => k.WRITE_REGISTER_UCHAR(chanReg(s.hw.bar, s.n, 'CHANCMD'), c);
  /** 2.0: DMACOUNT += n, read back from the register (no shadow copy). */
  const bump = (s: Slot, n: number) => {
    const r = chanReg(s.hw.bar, s.n, 'DMACOUNT');
    k.WRITE_REGISTER_USHORT(r, (k.READ_REGISTER_USHORT(r) + n) & 0xffff);
  };
  const counted = (s: Slot) => s.hw.dev.ver >= 0x200;

  const StartDma: DMA_START_HANDLER = (context, _va, pa, count) => {
    const s = context as Slot;
    if (!ok(s)) return STATUS_UNSUCCESSFUL;
    k.WRITE_REGISTER_ULONG64(chanReg(s.hw.bar, s.n, 'CHAINADDR'), pa);
    if (counted(s)) bump(s, count);
    else strobe(s, CHANCMD.START);
    return STATUS_SUCCESS;
  };
  const AppendDma: DMA_APPEND_HANDLER = (context, _va, _pa, count) => {
    const s = context as Slot;
    if (!ok(s)) return STATUS_UNSUCCESSFUL;
    if (counted(s)) bump(s, count);
    else strobe(s, CHANCMD.APPEND);
    return STATUS_SUCCESS;
  };
  const SuspendDma: DMA_SUSPEND_HANDLER = (context, last) => {
    const s = context as Slot;
    if (!ok(s)) return STATUS_UNSUCCESSFUL;
    strobe(s, CHANCMD.SUSPEND);
    last.value = k.READ_REGISTER_ULONG64(chanReg(s.hw.bar, s.n, 'CHANSTS')) & CHANSTS_ADDRESS_MASK;
    return STATUS_SUCCESS;
  };
  const ResumeDma: DMA_RESUME_HANDLER = (context) => {
    const s = context as Slot;
    if (!ok(s)) return STATUS_UNSUCCESSFUL;
    strobe(s, CHANCMD.RESUME);
    return STATUS_SUCCESS;
  };
  const AbortDma: DMA_ABORT_HANDLER = (context) => {
    const s = context as Slot;
    if (!ok(s)) return STATUS_UNSUCCESSFUL;
    strobe(s, CHANCMD.ABORT);
    return STATUS_SUCCESS;
  };
  const ResetChannel: DMA_RESET_HANDLER = (context) => {
    const s = context as Slot;
    if (!ok(s)) return STATUS_UNSUCCESSFUL;
    strobe(s, CHANCMD.ABORT);
    if (!resetRegs(s.hw, s.n)) return STATUS_UNSUCCESSFUL;
    if (s.hw.guard) {
      const irql = k.KeAcquireInterruptSpinLock(s.hw.guard);
      s.broken = false;
      k.KeReleaseInterruptSpinLock(s.hw.guard, irql);
    }
    program(s);
    return STATUS_SUCCESS;
  };

  return { makeSlots, dropSlots, resetRegs, relight, messageIsr, lineIsr, SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, AppendDma, SuspendDma, ResumeDma, AbortDma, ResetChannel };
}

