/**
 * The engine side: hardware bring-up and tear-down (START / STOP / SURPRISE_REMOVAL / REMOVE and
 * the D0 restore), the nine provider handlers, the ISR (per-channel MSI-X, shared MSI, line-based)
 * and the DPC.
 *
 * Every channel command (RESET, ABORT, SUSPEND, RESUME, START) is followed by a bounded poll for
 * its effect, with KeStallExecutionProcessor between reads: on silicon a command takes time.
 */
import {
  CHANCMD,
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  INTRCTRL,
  MmNonCached,
  NET_DMA_CHANNEL_PARAMETERS_REVISION_2,
  NET_DMA_DESCRIPTOR_OFFSETS,
  NET_DMA_DESCRIPTOR_SIZE,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  NT_SUCCESS,
  NetDmaTransferStatusArmed,
  NonPagedPoolNx,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  REGISTER_BLOCK_SIZE,
  CHANCTRL,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type CM_RESOURCE_LIST,
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
  type KDEFERRED_ROUTINE,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NET_DMA_CHANNEL_PARAMETERS,
  type NET_DMA_PROVIDER_ATTRIBUTES,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { MAX_CHANNELS, type Channel, type Engine } from './device';
import {
  CTRL_RUN,
  ST_ACTIVE,
  ST_HALTED,
  ST_IDLE,
  ST_SUSPENDED,
  abortChannelHw,
  chreg,
  command,
  greg,
  pollChanSts,
  readChanErr,
  readChanSts,
  resetChannelHw,
  write64Halves,
  write64Whole,
  type Write64,
} from './regs';

export interface EngineOptions {
  readonly poolTag: number;
  /**
   * The engine is limited to 32-bit DMA: MaximumAddressSpace 0xFFFFFFFF, provider memory below
   * 4 GiB, address registers programmed as two 32-bit halves (high half written too), and any
   * address NetDMA hands over above 4 GiB refused.
   */
  readonly dma32: boolean;
}

/** Largest address a 32-bit engine reaches. */
const MAX_32 = 0xffff_ffffn;
/** Largest address a 64-bit engine reaches: all 64 address bits decoded. */
const MAX_64 = 0xffff_ffff_ffff_ffffn;

/** Provider-owned contiguous block (dma32): self-test descriptors, completion words, a scratch byte. */
const SCRATCH_BYTES = 4096;
const SCRATCH_DESC_OFFSET = 0; // MAX_CHANNELS descriptors of 64 bytes
const SCRATCH_CMP_OFFSET = 1024; // MAX_CHANNELS completion words, 64-byte aligned
const SCRATCH_DATA_OFFSET = 2048;

/** Lowest set bit of a bigint mask below `limit`, or -1. */
function lowestCpu(mask: bigint, limit: number): number {
  for (let b = 0; b < limit && b < 64; b++) if (((mask >> BigInt(b)) & 1n) === 1n) return b;
  return -1;
}

export function createEngine(k: KernelServices, opts: EngineOptions) {
  const write64: Write64 = opts.dma32 ? write64Halves : write64Whole;
  const maxAddress = opts.dma32 ? MAX_32 : MAX_64;
  /** An address range the engine can reach (dma32: entirely below 4 GiB). */
  const reachable = (pa: bigint, length: number) => pa >= 0n && pa + BigInt(length) - 1n <= maxAddress;
  const counted = (c: Channel) => c.dev.version >= 0x200;

  /** CHANCTRL and CHANCMP of an allocated channel (at allocation, after RESET, after power loss). */
  const bind = (c: Channel) => {
    const bar = c.dev.bar!;
    write64(k, chreg(bar, c.index, 'CHANCMP'), c.completionPa);
    k.WRITE_REGISTER_USHORT(chreg(bar, c.index, 'CHANCTRL'), CTRL_RUN);
  };

  /** Where a channel's completion writes go while no client owns it: the provider's own word (dma32), else left as is. */
  const park = (dev: Engine, i: number) => {
    if (dev.bar === null) return;
    k.WRITE_REGISTER_USHORT(chreg(dev.bar, i, 'CHANCTRL'), 0);
    if (dev.scratchVa !== null) write64(k, chreg(dev.bar, i, 'CHANCMP'), dev.scratchPa + BigInt(SCRATCH_CMP_OFFSET + i * 64));
  };

  // ------------------------------------------------------------------------------ interrupts

  /** One channel's interrupt work at DIRQL: read CHANSTS, tell NetDMA, queue the DPC on the CPU it names. */
  const service = (c: Channel): boolean => {
    const bar = c.dev.bar;
    if (bar === null) return false;
    const s = readChanSts(k, bar, c.index);
    if (s.gone) return false;
    if (s.state === NetDmaTransferStatusArmed || s.state > NetDmaTransferStatusArmed || s.last === 0n) return true; // nothing completed yet
    if (s.state === ST_HALTED) {
      const err = readChanErr(k, bar, c.index);
      if (err !== 0 && err !== 0xffff_ffff) c.faulted = true;
    }
    c.done = s.last;
    const cpu: OUT<number> = {};
    k.NetDmaIsr(c.handle, s.last, cpu);
    k.KeSetTargetProcessorDpc(c.dpc, cpu.value ?? c.cpu);
    k.KeInsertQueueDpc(c.dpc, null, null);
    return true;
  };

  /** Shared interrupt (line-based, or fewer MSI messages than channels): ATTNSTATUS names the channels. */
  const scan = (dev: Engine): boolean => {
    if (dev.bar === null) return false;
    const attn = k.READ_REGISTER_ULONG(greg(dev.bar, 'ATTNSTATUS')) >>> 0;
    if (attn === 0 || attn === 0xffff_ffff) return false; // not ours, or the device is gone
    const ours = dev.nChannels >= 32 ? attn : attn & ((1 << dev.nChannels) - 1);
    for (let i = 0; i < dev.nChannels; i++) {
      const c = dev.slots[i];
      if (c && ((attn >>> i) & 1) === 1) service(c);
    }
    return ours !== 0;
  };

  const messageIsr: KMESSAGE_SERVICE_ROUTINE = (_i: KINTERRUPT, ctx: unknown, id: number) => {
    const dev = ctx as Engine;
    if (!dev.perChannelMessages || id >= dev.nChannels) return scan(dev);
    const c = dev.slots[id];
    return c ? service(c) : false;
  };
  const lineIsr: KSERVICE_ROUTINE = (_i: KINTERRUPT, ctx: unknown) => scan(ctx as Engine);

  const dpcRoutine: KDEFERRED_ROUTINE = (_d, ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (dev.bar === null || dev.slots[c.index] !== c) return;
    if (c.faulted) {
      c.faulted = false;
      k.NetDmaInterruptDpc(c.handle, 0n); // an error: NULL descriptor (F13a)
    } else {
      k.NetDmaInterruptDpc(c.handle, c.done);
    }
    if (dev.bar !== null && dev.slots[c.index] === c) k.WRITE_REGISTER_USHORT(chreg(dev.bar, c.index, 'CHANCTRL'), CTRL_RUN | CHANCTRL.INT_REARM);
  };

  /** Every interrupt object connected for the engine (one per message, or the line's). */
  const interruptObjects = (dev: Engine): KINTERRUPT[] => {
    if (dev.msgTable) return dev.msgTable.MessageInfo.map((m) => m.InterruptObject);
    return dev.lineObject ? [dev.lineObject] : [];
  };
  /**
   * Removes a channel from the ISR's view: after a KeSynchronizeExecution with each of the engine's
   * interrupt objects, no ISR that could still see the channel is running.
   */
  const unpublish = (dev: Engine, c: Channel) => {
    dev.slots[c.index] = null;
    for (const obj of interruptObjects(dev)) k.KeSynchronizeExecution(obj, () => true, null);
  };

  // ------------------------------------------------------------------------------ bring-up / tear-down

  /** Disconnects the interrupts, frees the provider memory and unmaps BAR0 (each only if held). */
  const tearDown = (dev: Engine) => {
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
      // Nothing may DMA into the provider memory once it is freed: every channel reset and idle.
      if (dev.scratchVa !== null) for (let i = 0; i < dev.nChannels; i++) if (resetChannelHw(k, dev.bar, i)) k.WRITE_REGISTER_USHORT(chreg(dev.bar, i, 'CHANCTRL'), 0);
    }
    if (dev.scratchVa !== null) {
      k.MmFreeContiguousMemory(dev.scratchVa);
      dev.scratchVa = null;
      dev.scratchPa = 0n;
    }
    if (dev.bar !== null) {
      k.MmUnmapIoSpace(dev.bar, dev.barLength);
      dev.bar = null;
    }
    dev.nChannels = 0;
    dev.slots = [];
    dev.reserved = [];
    dev.msgCpu = [];
  };

  /**
   * dma32 self-test of channel i from the provider's own memory (Linux starts a channel with a NULL
   * descriptor that asks for a completion write): CHANCMP and CHAINADDR programmed as halves, START,
   * poll until the channel is idle and the completion word names the descriptor; then RESET.
   */
  const selfTest = (dev: Engine, i: number): boolean => {
    const bar = dev.bar!;
    const va = dev.scratchVa!;
    const descPa = dev.scratchPa + BigInt(SCRATCH_DESC_OFFSET + i * NET_DMA_DESCRIPTOR_SIZE);
    const cmpOff = SCRATCH_CMP_OFFSET + i * 64;
    const cmpPa = dev.scratchPa + BigInt(cmpOff);
    const dataPa = dev.scratchPa + BigInt(SCRATCH_DATA_OFFSET);
    const d = k.RtlVirtualView(va + BigInt(SCRATCH_DESC_OFFSET + i * NET_DMA_DESCRIPTOR_SIZE), NET_DMA_DESCRIPTOR_SIZE);
    const o = NET_DMA_DESCRIPTOR_OFFSETS;
    for (let b = 0; b < NET_DMA_DESCRIPTOR_SIZE; b += 4) d.setUint32(b, 0, true);
    d.setUint32(o.TransferSize, 1, true); // size 0 is an error on v3.0 silicon even for NULL descriptors
    d.setUint32(o.ControlFlags, NET_DMA_NULL_TRANSFER | NET_DMA_STATUS_UPDATE_ON_COMPLETION, true);
    d.setBigUint64(o.SourceAddress, dataPa, true);
    d.setBigUint64(o.DestinationAddress, dataPa, true);
    d.setBigUint64(o.NextDescriptor, 0n, true);
    const w = k.RtlVirtualView(va + BigInt(cmpOff), 8);
    w.setBigUint64(0, 0n, true);
    k.WRITE_REGISTER_USHORT(chreg(bar, i, 'CHANCTRL'), CHANCTRL.IN_USE); // no interrupts from the test
    write64(k, chreg(bar, i, 'CHANCMP'), cmpPa);
    write64(k, chreg(bar, i, 'CHAINADDR'), descPa);
    command(k, bar, i, CHANCMD.START);
    const ran = pollChanSts(k, bar, i, (s) => s.state === ST_IDLE || s.state === ST_HALTED) && readChanSts(k, bar, i).state === ST_IDLE;
    let wrote = false;
    for (let n = 0; ran && n < 2000 && !wrote; n++) {
      wrote = (w.getBigUint64(0, true) & ~0x3fn) === descPa;
      if (!wrote) k.KeStallExecutionProcessor(5);
    }
    const reset = resetChannelHw(k, bar, i);
    k.WRITE_REGISTER_USHORT(chreg(bar, i, 'CHANCTRL'), 0);
    return ran && wrote && reset;
  };

  /**
   * START's hardware half, after the lower drivers completed START: map BAR0, size the tables from
   * CHANCNT and BAR0's length, read the vendor id, (dma32) allocate the provider memory below 4 GiB
   * and self-test each channel, reset every channel, connect the interrupts, enable them. Any
   * failure undoes everything done so far. Returns the attributes for NetDmaProviderStart.
   */
  const bringUp = (dev: Engine, translated: CM_RESOURCE_LIST | undefined): { st: NTSTATUS; attrs?: NET_DMA_PROVIDER_ATTRIBUTES } => {
    const descriptors = translated?.List[0]?.PartialResourceList.PartialDescriptors ?? [];
    const mem = descriptors.find((d) => d.Type === CmResourceTypeMemory);
    if (!mem || mem.Type !== CmResourceTypeMemory) return { st: STATUS_DEVICE_NOT_READY };
    if (mem.u.Memory.Length < 2 * REGISTER_BLOCK_SIZE) return { st: STATUS_DEVICE_NOT_READY };
    const bar = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
    if (bar === null) return { st: STATUS_INSUFFICIENT_RESOURCES };
    dev.bar = bar;
    dev.barLength = mem.u.Memory.Length;
    const fail = (st: NTSTATUS) => {
      tearDown(dev);
      return { st };
    };
    // Quiet first: no interrupt before the handlers are connected and the channels reset.
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), 0);
    const chancntRaw = k.READ_REGISTER_UCHAR(greg(bar, 'CHANCNT'));
    const xfercap = k.READ_REGISTER_UCHAR(greg(bar, 'XFERCAP')) & 0x1f;
    const ver = k.READ_REGISTER_UCHAR(greg(bar, 'VER'));
    if (chancntRaw === 0xff) return fail(STATUS_DEVICE_NOT_READY); // the device does not answer
    const chancnt = chancntRaw & 0x1f;
    const barChannels = Math.floor(dev.barLength / REGISTER_BLOCK_SIZE) - 1;
    const n = Math.min(chancnt, MAX_CHANNELS, barChannels);
    if (n <= 0) return fail(STATUS_DEVICE_NOT_READY);
    // MaximumTransferSize must be at least 4 KB; 2^31 is the largest power of two a ULONG holds.
    if (xfercap !== 0 && xfercap < 12) return fail(STATUS_DEVICE_NOT_READY);
    dev.maxTransferSize = xfercap === 0 || xfercap >= 31 ? 0x8000_0000 : 2 ** xfercap;
    dev.nChannels = n;
    dev.slots = new Array<Channel | null>(n).fill(null);
    dev.reserved = new Array<boolean>(n).fill(false);
    dev.msgCpu = new Array<number>(n).fill(-1);

    const bus = k.IoGetBusInterfaceStandard(dev.pdo);
    if (!bus) return fail(STATUS_DEVICE_NOT_READY);
    const id = new Uint8Array(2);
    const got = bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, id, PCI_VENDOR_ID_OFFSET, 2);
    bus.InterfaceDereference(bus.Context);
    if (got !== 2) return fail(STATUS_DEVICE_NOT_READY);
    const vendorId = id[0]! | (id[1]! << 8);

    if (opts.dma32) {
      const va = k.MmAllocateContiguousMemory(SCRATCH_BYTES, MAX_32);
      if (va === null) return fail(STATUS_INSUFFICIENT_RESOURCES);
      dev.scratchVa = va;
      dev.scratchPa = k.MmGetPhysicalAddress(va);
      if (!reachable(dev.scratchPa, SCRATCH_BYTES) || (dev.scratchPa & 0x3fn) !== 0n) return fail(STATUS_INSUFFICIENT_RESOURCES);
    }

    for (let i = 0; i < n; i++) {
      if (!resetChannelHw(k, bar, i)) return fail(STATUS_DEVICE_NOT_READY);
      if (opts.dma32 && !selfTest(dev, i)) return fail(STATUS_DEVICE_NOT_READY);
      park(dev, i);
    }

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
    // The handlers read these while connected: a line or shared interrupt scans until they are set.
    dev.perChannelMessages = false;
    const cst = k.IoConnectInterruptEx(p);
    if (!NT_SUCCESS(cst)) return fail(cst);
    dev.messageMode = p.Version === CONNECT_MESSAGE_BASED;
    dev.msgTable = dev.messageMode ? (conn.value?.InterruptMessageTable ?? null) : null;
    dev.lineObject = dev.messageMode ? null : (conn.value?.InterruptObject ?? null);
    if (!dev.msgTable && !dev.lineObject) return fail(STATUS_DEVICE_NOT_READY);
    const messages = dev.msgTable ? Math.min(dev.msgTable.MessageCount, dev.msgTable.MessageInfo.length) : 0;
    dev.perChannelMessages = messages >= n;
    const cpus = k.KeQueryActiveProcessorCount();
    for (let i = 0; i < n; i++) {
      const e = dev.perChannelMessages ? dev.msgTable!.MessageInfo[i] : undefined;
      dev.msgCpu[i] = e ? lowestCpu(e.TargetProcessorSet, cpus) : -1;
    }
    k.READ_REGISTER_ULONG(greg(bar, 'ATTNSTATUS')); // read-clear anything stale
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return {
      st: STATUS_SUCCESS,
      attrs: {
        MajorHwVersion: ver >> 4,
        MinorHwVersion: ver & 0xf,
        Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
        Flags: 0,
        VendorId: vendorId,
        DmaChannelCount: n,
        MaximumTransferSize: dev.maxTransferSize,
        MaximumAddressSpace: maxAddress,
      },
    };
  };

  /** Back in D0 after the engine lost its registers: reset all channels, re-bind the allocated ones, re-enable interrupts. */
  const restore = (dev: Engine): boolean => {
    const bar = dev.bar;
    if (bar === null) return false;
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), 0);
    let ok = true;
    for (let i = 0; i < dev.nChannels; i++) {
      if (!resetChannelHw(k, bar, i)) {
        ok = false;
        continue;
      }
      const c = dev.slots[i];
      if (c) {
        c.count = 0;
        c.faulted = false;
        c.done = 0n;
        bind(c);
      } else {
        park(dev, i);
      }
    }
    k.READ_REGISTER_ULONG(greg(bar, 'ATTNSTATUS'));
    k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    return ok;
  };

  // ------------------------------------------------------------------------------ provider handlers

  const SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER = (ctx, array, bytes) => {
    const dev = ctx as Engine;
    const m = new Map<number, number>();
    const count = Math.min(array.length, Math.floor(bytes / 8));
    for (let i = 0; i < count; i++) {
      const a = array[i]!;
      if (a.DmaChannel < MAX_CHANNELS && a.CpuNumber >= 0 && a.CpuNumber < 64) m.set(a.DmaChannel, a.CpuNumber);
    }
    dev.affinities = m;
    return STATUS_SUCCESS;
  };

  /** The CPUs a channel may use: ProcessorAffinityMaskEx (revision 2, group 0) when given, else the 32-bit mask. */
  const allowedCpus = (params: NET_DMA_CHANNEL_PARAMETERS): bigint => {
    const ex = params.Revision >= NET_DMA_CHANNEL_PARAMETERS_REVISION_2 ? params.ProcessorAffinityMaskEx : undefined;
    if (ex && ex.Group === 0 && ex.Mask !== 0n) return BigInt.asUintN(64, ex.Mask);
    return BigInt(params.ProcessorAffinityMask >>> 0);
  };

  const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (ctx, params, handle, out) => {
    const dev = ctx as Engine;
    const bar = dev.bar;
    if (bar === null || !dev.providerStarted) return STATUS_UNSUCCESSFUL;
    const completionPa = BigInt.asUintN(64, params.CompletionPhysicalAddress);
    // The engine writes 8 bytes at a 64-byte aligned address it can reach.
    if ((completionPa & 0x3fn) !== 0n || !reachable(completionPa, 8)) return STATUS_UNSUCCESSFUL;
    const cpus = k.KeQueryActiveProcessorCount();
    const present = cpus >= 64 ? MAX_64 : (1n << BigInt(cpus)) - 1n;
    const mask = allowedCpus(params) & present;
    const inMask = (cpu: number) => cpu >= 0 && cpu < 64 && ((mask >> BigInt(cpu)) & 1n) === 1n;
    const pool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 128, opts.poolTag);
    if (!pool) return STATUS_INSUFFICIENT_RESOURCES;
    const irql = k.KeAcquireSpinLock(dev.lock);
    // Prefer a free channel whose MSI-X message already targets a CPU in the mask (F25).
    let pick = -1;
    for (let i = 0; i < dev.nChannels && pick < 0; i++) if (!dev.reserved[i] && inMask(dev.msgCpu[i]!)) pick = i;
    for (let i = 0; i < dev.nChannels && pick < 0; i++) if (!dev.reserved[i]) pick = i;
    if (pick >= 0) dev.reserved[pick] = true;
    k.KeReleaseSpinLock(dev.lock, irql);
    if (pick < 0) {
      k.ExFreePoolWithTag(pool, opts.poolTag);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    let cpu = dev.msgCpu[pick]!;
    if (!inMask(cpu)) {
      const low = lowestCpu(mask, 64);
      cpu = low >= 0 ? low : cpu >= 0 && cpu < cpus ? cpu : k.KeGetCurrentProcessorNumber();
    }
    const c: Channel = { dev, index: pick, handle, completionPa, cpu, dpc: {}, pool, count: 0, faulted: false, done: 0n };
    k.KeInitializeDpc(c.dpc, dpcRoutine, c);
    k.KeSetTargetProcessorDpc(c.dpc, cpu);
    if (!abortChannelHw(k, bar, pick) || !resetChannelHw(k, bar, pick)) {
      park(dev, pick);
      const irql2 = k.KeAcquireSpinLock(dev.lock);
      dev.reserved[pick] = false;
      k.KeReleaseSpinLock(dev.lock, irql2);
      k.ExFreePoolWithTag(pool, opts.poolTag);
      return STATUS_UNSUCCESSFUL;
    }
    bind(c);
    dev.slots[pick] = c;
    params.CpuNumber = cpu;
    out.value = c;
    return STATUS_SUCCESS;
  };

  const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const dev = c.dev;
    if (dev.slots[c.index] === c) unpublish(dev, c);
    k.KeRemoveQueueDpc(c.dpc);
    if (dev.bar !== null) {
      abortChannelHw(k, dev.bar, c.index);
      resetChannelHw(k, dev.bar, c.index);
      park(dev, c.index);
    }
    const irql = k.KeAcquireSpinLock(dev.lock);
    if (c.index < dev.reserved.length) dev.reserved[c.index] = false;
    k.KeReleaseSpinLock(dev.lock, irql);
    k.ExFreePoolWithTag(c.pool, opts.poolTag);
  };

  /**
   * Polls after a start (CHANCMD START or a DMACOUNT bump) until the channel has left the state it
   * was started from: armed, or halted by an abort. A channel already running needs no wait.
   */
  const waitStarted = (c: Channel, from: number): boolean => {
    const bar = c.dev.bar!;
    if (from !== NetDmaTransferStatusArmed && from !== ST_HALTED && from !== ST_SUSPENDED) return true;
    return pollChanSts(k, bar, c.index, (s) => {
      if (s.state !== from) return true;
      return s.state === ST_HALTED && readChanErr(k, bar, c.index) !== 0; // the new chain failed at once
    });
  };

  const StartDma: DMA_START_HANDLER = (ctx, _va, pa, count) => {
    const c = ctx as Channel;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    const head = BigInt.asUintN(64, pa);
    // Alignment and validity of the chain are the engine's to check (it halts and reports an error);
    // an address the engine cannot reach at all (dma32: above 4 GiB) is refused here.
    if (!reachable(head, NET_DMA_DESCRIPTOR_SIZE)) return STATUS_UNSUCCESSFUL;
    const before = readChanSts(k, bar, c.index);
    if (before.gone) return STATUS_UNSUCCESSFUL;
    // A channel halted on an error leaves that state only through RESET (ProviderResetChannel).
    if (before.state === ST_HALTED && readChanErr(k, bar, c.index) !== 0) return STATUS_UNSUCCESSFUL;
    write64(k, chreg(bar, c.index, 'CHAINADDR'), head);
    if (counted(c)) {
      if (count <= 0) return STATUS_SUCCESS;
      c.count = (c.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(chreg(bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(k, bar, c.index, CHANCMD.START);
    }
    return waitStarted(c, before.state) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
  };

  const AppendDma: DMA_APPEND_HANDLER = (ctx, _va, pa, count) => {
    const c = ctx as Channel;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    if (!reachable(BigInt.asUintN(64, pa), NET_DMA_DESCRIPTOR_SIZE)) return STATUS_UNSUCCESSFUL;
    if (counted(c)) {
      if (count <= 0) return STATUS_SUCCESS;
      c.count = (c.count + count) & 0xffff;
      k.WRITE_REGISTER_USHORT(chreg(bar, c.index, 'DMACOUNT'), c.count);
    } else {
      command(k, bar, c.index, CHANCMD.APPEND); // the engine re-reads the tail NetDMA patched (F28)
    }
    return STATUS_SUCCESS;
  };

  const SuspendDma: DMA_SUSPEND_HANDLER = (ctx, last) => {
    const c = ctx as Channel;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    const s = readChanSts(k, bar, c.index);
    if (s.gone) return STATUS_UNSUCCESSFUL;
    if (s.state === ST_ACTIVE || s.state === ST_IDLE) {
      command(k, bar, c.index, CHANCMD.SUSPEND);
      // The current descriptor finishes before the channel reports SUSPENDED (or halts on an error).
      if (!pollChanSts(k, bar, c.index, (x) => x.state === ST_SUSPENDED || x.state === ST_HALTED)) return STATUS_UNSUCCESSFUL;
    }
    // Armed: nothing processed yet (address 0); suspended or halted: the channel is already still.
    const now = readChanSts(k, bar, c.index);
    last.value = now.state === NetDmaTransferStatusArmed ? 0n : now.last;
    return STATUS_SUCCESS;
  };

  const ResumeDma: DMA_RESUME_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    const s = readChanSts(k, bar, c.index);
    if (s.gone) return STATUS_UNSUCCESSFUL;
    if (s.state !== ST_SUSPENDED) return STATUS_SUCCESS; // Suspend found it still: nothing to resume
    command(k, bar, c.index, CHANCMD.RESUME);
    return pollChanSts(k, bar, c.index, (x) => x.state !== ST_SUSPENDED) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
  };

  const AbortDma: DMA_ABORT_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    // Fixed after measurement (see DESIGN.md): a channel already halted on an error must still be
    // "ready for the NetDMA interface to call the ProviderStartDma function" once the abort
    // completes (aborting-a-dma-transfer.md), and StartDma refuses an errored channel: RESET it here.
    const s = readChanSts(k, bar, c.index);
    if (!s.gone && s.state === ST_HALTED && readChanErr(k, bar, c.index) !== 0) {
      if (!resetChannelHw(k, bar, c.index)) return STATUS_UNSUCCESSFUL;
      c.count = 0;
      c.faulted = false;
      c.done = 0n;
      bind(c);
      return STATUS_SUCCESS;
    }
    return abortChannelHw(k, bar, c.index) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
  };

  const ResetChannel: DMA_RESET_HANDLER = (ctx) => {
    const c = ctx as Channel;
    const bar = c.dev.bar;
    if (bar === null) return STATUS_UNSUCCESSFUL;
    // ABORT first, so the Halted status is reported (F32); then RESET to the just-allocated state.
    abortChannelHw(k, bar, c.index);
    if (!resetChannelHw(k, bar, c.index)) return STATUS_UNSUCCESSFUL;
    c.count = 0;
    c.faulted = false;
    c.done = 0n;
    bind(c);
    // The reset brings the channel back to its just-allocated state even if the abort was not seen.
    return STATUS_SUCCESS;
  };

  return {
    bringUp,
    tearDown,
    restore,
    handlers: { SetDmaChannelCpuAffinity, AllocateDmaChannel, FreeDmaChannel, StartDma, SuspendDma, ResumeDma, AbortDma, AppendDma, ResetChannel },
  };
}
export type EngineOps = ReturnType<typeof createEngine>;
