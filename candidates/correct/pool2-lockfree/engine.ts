/**
 * pool2-lockfree: the engine half — registers, bounded (interrupt-time) polls, the nine provider
 * handlers, the ISR and the per-channel DPCs, bring-up / tear-down / restore.
 *
 * No spin lock anywhere: a channel slot is claimed with InterlockedCompareExchange and released with
 * InterlockedExchange; the word the ISR and the DPC share (error seen, last completed descriptor)
 * is exchanged with Interlocked* as well. All pool comes from ExAllocatePool2.
 */
import {
  CHANCMD,
  CHANCTRL,
  CHANNEL_REGISTERS,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  GENERAL_REGISTERS,
  INTRCTRL,
  MmNonCached,
  NET_DMA_CHANNEL_CPU_AFFINITY_SIZE,
  NET_DMA_CHANNEL_PARAMETERS_REVISION_2,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NT_SUCCESS,
  NetDmaTransferStatusActive,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  POOL_FLAG_NON_PAGED,
  REGISTER_BLOCK_SIZE,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type CM_RESOURCE_LIST,
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
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type IO_REMOVE_LOCK,
  type IO_WORKITEM,
  type KDEFERRED_ROUTINE,
  type KDPC,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NET_DMA_CHANNEL_HANDLE,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_ATTRIBUTES,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
  type OUT,
  type VOLATILE_LONG,
  type VOLATILE_LONG64,
} from '../../../src/candidate-api';

/** Pool tag 'P2lf' as !poolused shows it. */
export const TAG = 0x666c_3250;
/** MaxDmaChannelCount: CHANCNT is a 5-bit field and ATTNSTATUS has 32 bits. */
export const MAX_CHANNELS = 32;

/** Bound of a poll on the engine, in 100 ns units of interrupt time: 20 ms. */
const POLL_BUDGET = 200_000n;
/** Stall between two reads of a polled register, in microseconds. */
const POLL_STALL_US = 5;
/** Safety net if interrupt time ever stood still. */
const POLL_MAX_READS = 100_000;

/** CHANCTRL of a running channel (Linux writes 0x011D). */
const CTRL_RUN = CHANCTRL.IN_USE | CHANCTRL.ERR_INT_EN | CHANCTRL.ANY_ERR_ABORT_EN | CHANCTRL.ERR_COMPLETION_EN | CHANCTRL.INT_REARM;

export const enum Pnp {
  NotStarted,
  Started,
  StopPending,
  Stopped,
  RemovePending,
  SurpriseRemoved,
  Removed,
}

export interface Chan {
  readonly dev: Dev;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly completionPa: bigint;
  /** CPU reported in CpuNumber (the DPC's first target). */
  readonly cpu: number;
  readonly dpc: KDPC;
  readonly block: Uint8Array;
  /** DMACOUNT as last written (2.0 counted chains). */
  count: number;
  /** 1 when the ISR saw the channel halted on an error; the DPC exchanges it back to 0. */
  readonly faulted: VOLATILE_LONG;
  /** Last completed descriptor the ISR saw. */
  readonly done: VOLATILE_LONG64;
}

export interface Dev {
  readonly self: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** NetDMA version registered: major << 8 | minor. */
  readonly version: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly ctxBlock: Uint8Array;
  readonly workItem: IO_WORKITEM;
  readonly removeLock: IO_REMOVE_LOCK;
  /** Paging / hibernation / dump files on the device, by DEVICE_USAGE_NOTIFICATION_TYPE (1..3). */
  readonly specialFiles: number[];
  provider: NET_DMA_PROVIDER_HANDLE | null;
  /** Between NetDmaProviderStart and NetDmaProviderStop. */
  running: boolean;
  pnp: Pnp;
  /** The state QUERY_STOP / QUERY_REMOVE left, to go back to on CANCEL_*. */
  beforeQuery: Pnp;
  announcedDown: boolean;
  needsRestore: boolean;
  /** Channel -> CPU from ProviderSetDmaChannelCpuAffinity (MSI-X machines). */
  wantedCpu: Map<number, number> | null;
  // hardware, between START and STOP / SURPRISE_REMOVAL / REMOVE
  bar: bigint | null;
  barLength: number;
  msgTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineObject: KINTERRUPT | null;
  messageMode: boolean;
  /** Every interrupt goes through ATTNSTATUS (line, MSI, or fewer messages than channels). */
  shared: boolean;
  nChannels: number;
  msgCpu: number[];
  /** Slot claim words: 0 free, 1 taken (InterlockedCompareExchange). */
  claim: VOLATILE_LONG[];
  chans: (Chan | null)[];
}

export const chreg = (bar: bigint, ch: number, name: keyof typeof CHANNEL_REGISTERS): bigint =>
  bar + BigInt(REGISTER_BLOCK_SIZE * (ch + 1) + CHANNEL_REGISTERS[name].offset);
export const greg = (bar: bigint, name: keyof typeof GENERAL_REGISTERS): bigint => bar + BigInt(GENERAL_REGISTERS[name].offset);

const lowestCpu = (set: bigint): number => {
  for (let b = 0; b < 64; b++) if (((set >> BigInt(b)) & 1n) === 1n) return b;
  return -1;
};

export function createEngine(k: KernelServices) {
  /** Polls `done` until it holds or POLL_BUDGET of interrupt time has passed. */
  const pollUntil = (done: () => boolean): boolean => {
    const deadline = k.KeQueryInterruptTime() + POLL_BUDGET;
    for (let n = 0; n < POLL_MAX_READS; n++) {
      if (done()) return true;
      if (k.KeQueryInterruptTime() >= deadline) return done();
      k.KeStallExecutionProcessor(POLL_STALL_US);
    }
    return done();
  };
  const state = (bar: bigint, i: number) => Number(k.READ_REGISTER_ULONG64(chreg(bar, i, 'CHANSTS')) & CHANSTS_STATE_MASK);

  /** RESET and wait (bounded) for the bit to self-clear. */
  const hwReset = (bar: bigint, i: number): boolean => {
    const cmd = chreg(bar, i, 'CHANCMD');
    k.WRITE_REGISTER_UCHAR(cmd, CHANCMD.RESET);
    return pollUntil(() => (k.READ_REGISTER_UCHAR(cmd) & CHANCMD.RESET) === 0);
  };
  /** Waits (bounded) until the channel no longer reports Active in CHANSTS. */
  const waitNotActive = (bar: bigint, i: number): boolean => pollUntil(() => state(bar, i) !== NetDmaTransferStatusActive);

  const bind = (c: Chan) => {
    const bar = c.dev.bar!;
    k.WRITE_REGISTER_USHORT(chreg(bar, c.index, 'CHANCTRL'), CTRL_RUN);
    k.WRITE_REGISTER_ULONG64(chreg(bar, c.index, 'CHANCMP'), c.completionPa);
  };
  const command = (c: Chan, v: number) => k.WRITE_REGISTER_UCHAR(chreg(c.dev.bar!, c.index, 'CHANCMD'), v);
  const counted = (c: Chan) => c.dev.version >= 0x200;

  // ------------------------------------------------------------------ ISR and DPC

  /** At DIRQL: latch the channel's status, tell NetDMA, queue the channel's DPC on the CPU it names. */
  const service = (c: Chan): boolean => {
    const bar = c.dev.bar;
    if (bar === null) return false;
    const sts = k.READ_REGISTER_ULONG64(chreg(bar, c.index, 'CHANSTS'));
    const last = sts & CHANSTS_ADDRESS_MASK;
    const st = Number(sts & CHANSTS_STATE_MASK);
    if (st === NetDmaTransferStatusArmed || last === 0n) return true; // nothing completed since allocation/reset
    if (st === NetDmaTransferStatusHalted && k.READ_REGISTER_ULONG(chreg(bar, c.index, 'CHANERR')) !== 0) k.InterlockedExchange(c.faulted, 1);
    k.InterlockedExchange64(c.done, last);
    const cpu: OUT<number> = {};
    k.NetDmaIsr(c.handle, last, cpu);
    k.KeSetTargetProcessorDpc(c.dpc, cpu.value ?? c.cpu);
    k.KeInsertQueueDpc(c.dpc, null, null);
    return true;
  };
  /** Shared vector: ATTNSTATUS (read clears: the acknowledgement) names the channels. */
  const scan = (dev: Dev): boolean => {
    if (dev.bar === null) return false;
    const attn = k.READ_REGISTER_ULONG(greg(dev.bar, 'ATTNSTATUS')) >>> 0;
    let mine = false;
    for (let i = 0; i < dev.nChannels; i++) {
      if (((attn >>> i) & 1) === 0) continue;
      mine = true;
      const c = dev.chans[i];
      if (c) service(c);
    }
    return mine;
  };
  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i, ctx, id) => {
    const dev = ctx as Dev;
    if (dev.bar === null) return false;
    if (dev.shared) {
      scan(dev);
      return true; // a message is never shared with another device
    }
    const c = dev.chans[id];
    return c ? service(c) : false;
  };
  const lineIsr: KSERVICE_ROUTINE = (_i, ctx) => scan(ctx as Dev);

  const dpcRoutine: KDEFERRED_ROUTINE = (_d, ctx) => {
    const c = ctx as Chan;
    const dev = c.dev;
    if (dev.bar === null || dev.chans[c.index] !== c) return;
    if (k.InterlockedExchange(c.faulted, 0) !== 0) k.NetDmaInterruptDpc(c.handle, 0n); // NULL after an error (F13a)
    else k.NetDmaInterruptDpc(c.handle, k.InterlockedCompareExchange64(c.done, 0n, 0n));
    if (dev.bar !== null && dev.chans[c.index] === c) k.WRITE_REGISTER_USHORT(chreg(dev.bar, c.index, 'CHANCTRL'), CTRL_RUN | CHANCTRL.INT_REARM);
  };

  // ------------------------------------------------------------------ bring-up, tear-down, restore

  const tearDown = (dev: Dev): void => {
    if (dev.msgTable || dev.lineObject) {
      if (dev.bar !== null) k.WRITE_REGISTER_UCHAR(greg(dev.bar, 'INTRCTRL'), 0);
      k.IoDisconnectInterruptEx({
        Version: dev.messageMode ? CONNECT_MESSAGE_BASED : CONNECT_LINE_BASED,
        ConnectionContext: dev.msgTable ? { InterruptMessageTable: dev.msgTable } : { InterruptObject: dev.lineObject! },
      });
      dev.msgTable = null;
      dev.lineObject = null;
    }
    if (dev.bar !== null) {
      k.MmUnmapIoSpace(dev.bar, dev.barLength);
      dev.bar = null;
    }
  };

  /** Maps BAR0, reads the engine, connects the interrupts, resets every channel, enables interrupts. */
  const bringUp = (dev: Dev, translated: CM_RESOURCE_LIST): { st: NTSTATUS; attrs?: NET_DMA_PROVIDER_ATTRIBUTES } => {
    const mem = translated.List[0].PartialResourceList.PartialDescriptors.find((d) => d.Type === CmResourceTypeMemory);
    if (!mem || mem.Type !== CmResourceTypeMemory) return { st: STATUS_DEVICE_NOT_READY };
    const bar = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
    if (bar === null) return { st: STATUS_INSUFFICIENT_RESOURCES };
    dev.bar = bar;
    dev.barLength = mem.u.Memory.Length;
    const chancnt = k.READ_REGISTER_UCHAR(greg(bar, 'CHANCNT')) & 0x1f;
    const xfercap = k.READ_REGISTER_UCHAR(greg(bar, 'XFERCAP')) & 0x1f;
    const ver = k.READ_REGISTER_UCHAR(greg(bar, 'VER'));
    const bus = k.IoGetBusInterfaceStandard(dev.pdo);
    const id = new Uint8Array(2);
    const got = bus ? bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, id, PCI_VENDOR_ID_OFFSET, 2) : 0;
    if (bus) bus.InterfaceDereference(bus.Context);
    // The BAR must hold every channel block we will touch.
    const n = Math.min(chancnt, MAX_CHANNELS, Math.floor(dev.barLength / REGISTER_BLOCK_SIZE) - 1);
    if (got !== 2 || n <= 0) {
      tearDown(dev);
      return { st: STATUS_DEVICE_NOT_READY };
    }
    dev.nChannels = n;
    dev.chans = new Array<Chan | null>(n).fill(null);
    dev.claim = Array.from({ length: n }, () => ({ value: 0 }));
    const conn: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }> = {};
    const p: IO_CONNECT_INTERRUPT_PARAMETERS = {
      Version: CONNECT_MESSAGE_BASED,
      MessageBased: {
        PhysicalDeviceObject: dev.pdo,
        ConnectionContext: conn,
        MessageServiceRoutine: messageIsr,
        ServiceContext: dev,
        SynchronizeIrql: SIMULATED_DIRQL,
        FloatingSave: false,
        FallBackServiceRoutine: lineIsr,
      },
    };
    // Interrupts stay masked at the engine until every channel is reset.
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), 0);
    const cst = k.IoConnectInterruptEx(p);
    if (!NT_SUCCESS(cst)) {
      tearDown(dev);
      return { st: cst };
    }
    dev.messageMode = p.Version === CONNECT_MESSAGE_BASED;
    dev.msgTable = conn.value?.InterruptMessageTable ?? null;
    dev.lineObject = conn.value?.InterruptObject ?? null;
    if (!dev.msgTable && !dev.lineObject) {
      dev.messageMode = false;
      tearDown(dev);
      return { st: STATUS_DEVICE_NOT_READY };
    }
    dev.shared = !dev.msgTable || dev.msgTable.MessageCount < n;
    dev.msgCpu = [];
    for (let i = 0; i < n; i++) {
      const e = !dev.shared ? dev.msgTable!.MessageInfo[i] : undefined;
      dev.msgCpu.push(e ? lowestCpu(e.TargetProcessorSet) : -1);
    }
    for (let i = 0; i < n; i++) {
      if (!hwReset(bar, i)) {
        tearDown(dev);
        return { st: STATUS_DEVICE_NOT_READY };
      }
    }
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return {
      st: STATUS_SUCCESS,
      attrs: {
        MajorHwVersion: ver >> 4,
        MinorHwVersion: ver & 0xf,
        Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
        Flags: 0,
        VendorId: id[0]! | (id[1]! << 8),
        DmaChannelCount: n,
        MaximumTransferSize: xfercap === 0 ? 0x8000_0000 : Math.min(2 ** xfercap, 0x8000_0000),
        MaximumAddressSpace: 0xffff_ffff_ffffn,
      },
    };
  };

  /** Back in D0 after a power loss: reset every channel, re-bind the allocated ones, re-enable interrupts. */
  const restore = (dev: Dev): boolean => {
    const bar = dev.bar;
    if (bar === null) return false;
    let ok = true;
    for (let i = 0; i < dev.nChannels; i++) ok = hwReset(bar, i) && ok;
    for (const c of dev.chans) {
      if (!c) continue;
      c.count = 0;
      k.InterlockedExchange(c.faulted, 0);
      k.InterlockedExchange64(c.done, 0n);
      bind(c);
    }
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return ok;
  };

  // ------------------------------------------------------------------ provider handlers

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (ctx, array, bytes) => {
    const dev = ctx as Dev;
    if (!array) return STATUS_UNSUCCESSFUL;
    const m = new Map<number, number>();
    const n = Math.min(array.length, Math.floor(bytes / NET_DMA_CHANNEL_CPU_AFFINITY_SIZE));
    for (let i = 0; i < n; i++) m.set(array[i]!.DmaChannel, array[i]!.CpuNumber);
    dev.wantedCpu = m;
    return STATUS_SUCCESS;
  };

  const claimSlot = (dev: Dev, fits: (i: number) => boolean): number => {
    for (let i = 0; i < dev.nChannels; i++) {
      if (!fits(i)) continue;
      if (k.InterlockedCompareExchange(dev.claim[i]!, 1, 0) === 0) return i;
    }
    return -1;
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (ctx, params, handle, out) => {
    const dev = ctx as Dev;
    const bar = dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    let mask = BigInt(params.ProcessorAffinityMask >>> 0);
    if (mask === 0n && params.Revision >= NET_DMA_CHANNEL_PARAMETERS_REVISION_2 && params.ProcessorAffinityMaskEx && params.ProcessorAffinityMaskEx.Group === 0) {
      mask = params.ProcessorAffinityMaskEx.Mask;
    }
    const inMask = (cpu: number) => cpu >= 0 && cpu < 64 && ((mask >> BigInt(cpu)) & 1n) === 1n;
    const block = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 128, TAG);
    if (!block) return STATUS_INSUFFICIENT_RESOURCES;
    // Prefer a free channel whose message already targets a CPU of the mask (F25), else any free one.
    let i = claimSlot(dev, (j) => inMask(dev.msgCpu[j]!));
    if (i < 0) i = claimSlot(dev, () => true);
    if (i < 0) {
      k.ExFreePool(block);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    let cpu = dev.msgCpu[i]!;
    if (!inMask(cpu)) cpu = mask === 0n ? Math.max(cpu, 0) : lowestCpu(mask);
    const c: Chan = { dev, index: i, handle, completionPa: params.CompletionPhysicalAddress, cpu, dpc: {}, block, count: 0, faulted: { value: 0 }, done: { value: 0n } };
    k.KeInitializeDpc(c.dpc, dpcRoutine, c);
    k.KeSetTargetProcessorDpc(c.dpc, cpu);
    if (!hwReset(bar, i)) {
      k.InterlockedExchange(dev.claim[i]!, 0);
      k.ExFreePool(block);
      return STATUS_UNSUCCESSFUL;
    }
    bind(c);
    dev.chans[i] = c; // published only once programmed
    params.CpuNumber = cpu;
    out.value = c;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (ctx) => {
    const c = ctx as Chan;
    const dev = c.dev;
    dev.chans[c.index] = null;
    if (dev.bar !== null) {
      hwReset(dev.bar, c.index);
      k.WRITE_REGISTER_USHORT(chreg(dev.bar, c.index, 'CHANCTRL'), 0);
    }
    k.KeRemoveQueueDpc(c.dpc);
    k.InterlockedExchange(dev.claim[c.index]!, 0);
    k.ExFreePool(c.block);
  };

  const StartDma: DMA_START_HANDLER = (ctx, _va, pa, count) => {
    const c = ctx as Chan;
    if (c.dev.bar === null) return STATUS_UNSUCCESSFUL;
    k.WRITE_REGISTER_ULONG64(chreg(c.dev.bar, c.index, 'CHAINADDR'), pa);
    if (counted(c)) {
      c.count = (c.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(chreg(c.dev.bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(c, CHANCMD.START);
    }
    return STATUS_SUCCESS;
  };

  const AppendDma: DMA_APPEND_HANDLER = (ctx, _va, _pa, count) => {
    const c = ctx as Chan;
    if (c.dev.bar === null) return STATUS_UNSUCCESSFUL;
    if (counted(c)) {
      c.count = (c.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(chreg(c.dev.bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(c, CHANCMD.APPEND); // the engine re-reads the tail NetDMA patched (F28)
    }
    return STATUS_SUCCESS;
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (ctx, last) => {
    const c = ctx as Chan;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.SUSPEND);
    // The current descriptor is finished before we return (F29): wait until the engine stops.
    if (!waitNotActive(bar, c.index)) return STATUS_UNSUCCESSFUL;
    last.value = k.READ_REGISTER_ULONG64(chreg(bar, c.index, 'CHANSTS')) & CHANSTS_ADDRESS_MASK;
    return STATUS_SUCCESS;
  };

  const ResumeDma: DMA_RESUME_HANDLER = (ctx) => {
    const c = ctx as Chan;
    if (c.dev.bar === null) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.RESUME);
    return STATUS_SUCCESS;
  };

  const AbortDma: DMA_ABORT_HANDLER = (ctx) => {
    const c = ctx as Chan;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.ABORT);
    return waitNotActive(bar, c.index) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
  };

  const ResetChannel: DMA_RESET_HANDLER = (ctx) => {
    const c = ctx as Chan;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    command(c, CHANCMD.ABORT); // so the Halted status is reported (F32)
    waitNotActive(bar, c.index);
    if (!hwReset(bar, c.index)) return STATUS_UNSUCCESSFUL;
    c.count = 0;
    k.InterlockedExchange(c.faulted, 0);
    k.InterlockedExchange64(c.done, 0n);
    bind(c);
    return STATUS_SUCCESS;
  };

  return {
    bringUp,
    tearDown,
    restore,
    handlers: { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel },
  };
}
export type Engine = ReturnType<typeof createEngine>;
