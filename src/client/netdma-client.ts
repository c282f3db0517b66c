import type { Verifier } from '../kernel/verifier/verifier';
import { DISPATCH_LEVEL, PASSIVE_LEVEL } from '../kernel/api/irql';
import { STATUS_SUCCESS, ntStatusName } from '../kernel/api/ntstatus';
import type { NET_DMA_CHANNEL_HANDLE } from '../kernel/api/netdma';
import type { OUT } from '../kernel/api/wdm';
import { callProvider } from '../kernel/ke/invoke';
import type { ChannelHandlerRunner, ClientMachine } from './channel-handler-runner';
import { checkHandlerStatus, type ChannelRecord, type ProviderRecord } from '../kernel/netdma/netdma-interface';
import { ClientDataPath, DpChannel } from './client-datapath';
import { clientAllocation } from './dp-channel';
import type { ExecutionContext } from '../kernel/ke/processors';
import type { SimDevice } from '../kernel/hal/sim-device';

/**
 * The NetDMA client side (what tcpip.sys does through NetDMA): allocates and frees channels on
 * started providers, at the IRQLs the docs allow, and checks what the handlers return.
 */
export class NetDmaClient implements ChannelHandlerRunner {
  #nextChannel = 1;
  /** The copy data path (client-datapath.ts), when a data-path property switched it on. */
  dataPath: ClientDataPath | null = null;
  /** Execution contexts of the channel handlers running now (KE-IRQL-06). */
  readonly #handlerContexts = new Set<ExecutionContext>();
  /** Per provider, since its last NetDmaProviderStart: the engine channels its allocations were seen to drive (NDMA-CHAN-05). */
  readonly #engineChannelsSeen = new WeakMap<ProviderRecord, Set<number>>();
  constructor(private readonly m: ClientMachine) {}

  /**
   * Runs `fn`, the call of a channel handler (ProviderAllocateDmaChannel, ProviderFreeDmaChannel,
   * ProviderStartDma, ProviderAppendDma, ProviderSuspendDma, ProviderResumeDma, ProviderAbortDma,
   * ProviderResetChannel), inside the execution context `callProvider` made for it, marking that
   * context as a channel handler's for {@link NetDmaClient.inChannelHandler}. A handler that returns
   * has called no routine it may not call at DISPATCH_LEVEL: KE-IRQL-06 is counted as exercised.
   */
  runChannelHandler<T>(fn: () => T): T {
    const ctx = this.m.cpus.current;
    this.#handlerContexts.add(ctx);
    let result: T;
    try {
      result = fn();
    } finally {
      this.#handlerContexts.delete(ctx);
    }
    this.m.verifier.exercised('KE-IRQL-06');
    return result;
  }

  /**
   * Whether the code running now is a NetDMA channel handler (not an ISR, DPC or synchronize routine
   * it was interrupted by or called): NetDMA may call those at DISPATCH_LEVEL, whatever IRQL this
   * call came at, so they must never block, call a PASSIVE_LEVEL-only routine or touch paged memory
   * (KE-IRQL-06, F25–F32).
   */
  inChannelHandler(): boolean {
    return this.#handlerContexts.size !== 0 && this.#handlerContexts.has(this.m.cpus.current);
  }

  /** Switches the copy data path on: chains, copies and their checks on every allocated channel. */
  enableDataPath(): ClientDataPath {
    this.dataPath ??= new ClientDataPath(this.m);
    this.m.engines.listener = this.dataPath;
    return this.dataPath;
  }

  /** The data-path state of a channel, if the data path is on. */
  dpOf(ch: ChannelRecord): DpChannel | undefined {
    return this.dataPath?.channels.find((c) => c.rec === ch && !c.freed);
  }

  /** NetDmaPnPEventNotify: on PowerDown wait for outstanding copies; on PowerUp restart every channel (F50). */
  onPowerEvent(rec: ProviderRecord, down: boolean): void {
    const dp = this.dataPath;
    if (dp === null) return;
    if (down) dp.quiesce();
    else dp.onPowerUp(rec);
  }

  /**
   * Before IRP_MN_SET_POWER(D3) for `dev`: a 1.0 provider cannot notify PowerDown, and is in the
   * paging path instead, so the power manager powers it off only after network I/O has finished
   * (F51): NetDMA's outstanding copies on its channels complete first. (1.1+ providers get this on
   * their PowerDown notification.) Called by whoever sends the power IRP.
   */
  beforeDevicePowerDown(dev: SimDevice): void {
    const dp = this.dataPath;
    if (dp === null) return;
    if (this.m.netdma.liveProvidersOf(dev).some((p) => p.state === 'started' && p.version < 0x101)) dp.quiesce();
  }

  /**
   * After IRP_MN_SET_POWER(D0) for `dev` completed: NetDMA 1.0 restarts every channel of a 1.0
   * provider that lost its context with a NULL-operation Start (F39, PWR-09). 1.1+ providers were
   * restarted when they notified PowerUp (F50).
   */
  afterDevicePowerUp(dev: SimDevice): void {
    this.dataPath?.onDevicePoweredUp(dev);
  }

  /** NetDMA may allocate as soon as the provider is started, even inside NetDmaProviderStart. */
  onProviderStarted(rec: ProviderRecord): void {
    this.#engineChannelsSeen.set(rec, new Set());
    if (this.m.chooser.choose(2, 'allocate-during-NetDmaProviderStart') === 1) this.allocate(rec);
  }

  /** Affinity mask for a new channel: one or two CPUs, chosen by the chooser. */
  private mask(): number {
    // ProcessorAffinityMask is a ULONG: it names processors 0..31 only (A14).
    const n = Math.min(32, this.m.cpus.count);
    const a = this.m.chooser.choose(n, 'channel-affinity-cpu');
    const b = this.m.chooser.choose(n, 'channel-affinity-cpu-2');
    return ((1 << a) | (1 << b)) >>> 0;
  }

  /** Allocates one channel; returns it, or null when the provider refused (allowed once all are in use). */
  allocate(rec: ProviderRecord): ChannelRecord | null {
    const m: ClientMachine = this.m;
    const v: Verifier = m.verifier;
    const handler = rec.chars.AllocateDmaChannel!;
    const irql = m.chooser.choose(2, 'allocate-irql') === 1 ? DISPATCH_LEVEL : PASSIVE_LEVEL;
    const completionPa = clientAllocation(m, rec, 64, 64);
    const mask = this.mask();
    const params = m.netdma.channelParameters(completionPa, m.hal.kernelVaFor(completionPa), mask);
    const handle: NET_DMA_CHANNEL_HANDLE = Object.freeze({});
    const out: OUT<unknown> = {};
    const name = `channel#${this.#nextChannel++}`;
    m.trace.add('client', () => `NetDMA allocates ${name} on ${rec.name} (mask 0x${mask.toString(16)})`);
    const injectedBefore = m.lowResources.injected.length;
    const st = checkHandlerStatus(m, 'ProviderAllocateDmaChannel',
      callProvider(m, `ProviderAllocateDmaChannel(${name})`, { cpu: m.cpus.current.cpu, irql }, 'ntstatus', () => this.runChannelHandler(() => handler(rec.context, params, handle, out))));
    const inUse = rec.channels.size;
    const count = rec.attributes?.DmaChannelCount ?? 0;
    if (st !== STATUS_SUCCESS) {
      // Finding 11 / F108: after a granted QUERY_STOP the provider may hold new requests, and an
      // allocation cannot be queued, so it may be refused until CANCEL_STOP or the next START.
      // Low resources (Driver Verifier's simulation) may fail an allocation: a failure injected in this
      // call, or a channel of the engine whose RESET never completed, lets the provider refuse (F25).
      const lowResources = m.lowResources.injected.length > injectedBefore || m.engineOf(rec.device).faults.rules.some((r) => r.kind === 'reset-hang');
      v.check('NDMA-CHAN-01', inUse >= count || rec.device.stopPending || lowResources, () => `ProviderAllocateDmaChannel returned ${ntStatusName(st)} with ${inUse} of ${count} channels in use`);
      m.memory.free(completionPa);
      return null;
    }
    v.check('NDMA-CHAN-03', out.value !== undefined && out.value !== null, () => 'ProviderAllocateDmaChannel succeeded without writing *pProviderChannelContext');
    v.check('NDMA-CHAN-02', Number.isInteger(params.CpuNumber) && params.CpuNumber >= 0 && params.CpuNumber < 32 && ((mask >>> params.CpuNumber) & 1) === 1,
      () => `ProviderAllocateDmaChannel set CpuNumber ${params.CpuNumber}, not in ProcessorAffinityMask 0x${mask.toString(16)}`);
    v.check('NDMA-CHAN-01', inUse < count, () => `ProviderAllocateDmaChannel handed out a channel beyond DmaChannelCount ${count}`);
    if (rec.device.powerState === 'D0' && !rec.device.removed) {
      // NDMA-ADDR-01: CHANCMP carries the whole completion address (memory may lie above 4 GiB).
      const e = m.engineOf(rec.device);
      const cut = e.truncatedAddressChannel('CHANCMP', completionPa);
      v.check('NDMA-ADDR-01', cut < 0, () =>
        `ProviderAllocateDmaChannel returned with engine channel ${cut}'s CHANCMP 0x${e.channelSnapshot(cut).completionAddress.toString(16)}: the low 32 bits of CompletionPhysicalAddress 0x${completionPa.toString(16)} without its high dword (a 64-bit address kept in 32 bits)`);
    }
    const ch: ChannelRecord = { handle, index: rec.nextChannel++, providerChannelContext: out.value, params, completionPa };
    rec.channels.set(handle, ch);
    m.netdma.channelOwners.set(handle, rec);
    this.checkInterruptCpu(rec, ch, mask);
    if (this.dataPath !== null) {
      const dpc = new DpChannel(m, rec, ch, name);
      this.dataPath.channels.push(dpc);
      this.dataPath.onAllocated(dpc);
    }
    return ch;
  }

  /**
   * NDMA-CHAN-05 and NDMA-INT-08 (SHOULD; F25, F47, F19f), on an MSI-X machine, for the channel
   * ProviderAllocateDmaChannel just handed out. Its engine channel is the one whose CHANCMP is the
   * channel's completion address (nothing is judged when no engine channel, or more than one, has
   * it); that engine channel's interrupt is MSI-X message n, whose CPU the machine assigned from the
   * filtered requirements.
   * - NDMA-INT-08: when that interrupt CPU is in ProcessorAffinityMask, the reported CpuNumber is it
   *   (or a CPU no MSI-X message targets, the rule's exception): the channel's own message is
   *   available for a CPU the provider may name, so its interrupt and its DPCs run on one processor.
   *   When it is outside the mask CpuNumber cannot name it, and which channel to pick is NDMA-CHAN-05's
   *   question, so nothing is judged.
   * - NDMA-CHAN-05: when that interrupt CPU is outside the mask, no other free channel of the
   *   provider had its interrupt on a CPU in the mask. The provider's channels are every engine
   *   channel when DmaChannelCount is the engine's channel count (it must be able to use them all at
   *   once, each for one allocation: NDMA-CHAN-01, NDMA-CHAN-08), else those its allocations were
   *   seen to drive since NetDmaProviderStart; free means no live allocation drives it (nothing is
   *   judged when a live allocation's engine channel cannot be told).
   */
  private checkInterruptCpu(rec: ProviderRecord, ch: ChannelRecord, mask: number): void {
    const m: ClientMachine = this.m;
    const dev = rec.device;
    const res = dev.resources;
    if (!m.options.msix || res === null || !res.messageBased || dev.affinities === null || dev.powerState !== 'D0') return;
    const e = m.engineOf(dev);
    const cmp: bigint[] = [];
    for (let i = 0; i < e.channelCount; i++) cmp.push(e.channelSnapshot(i).completionAddress);
    const engineChannelOf = (pa: bigint): number | undefined => {
      const i = cmp.indexOf(pa);
      return i >= 0 && cmp.indexOf(pa, i + 1) < 0 ? i : undefined;
    };
    const chosen = engineChannelOf(ch.completionPa);
    if (chosen === undefined) return;
    const seen = this.#engineChannelsSeen.get(rec);
    seen?.add(chosen);
    const inMask = (cpu: number | undefined): cpu is number => cpu !== undefined && cpu >= 0 && cpu < 32 && ((mask >>> cpu) & 1) === 1;
    const own = res.messageCpus[chosen];
    if (inMask(own)) {
      const cpuNumber = ch.params.CpuNumber;
      m.verifier.check('NDMA-INT-08', cpuNumber === own || !res.messageCpus.includes(cpuNumber),
        () => `ProviderAllocateDmaChannel gave engine channel ${chosen}, whose MSI-X message ${chosen} targets CPU ${own} (in ProcessorAffinityMask 0x${mask.toString(16)}), but reported CpuNumber ${cpuNumber}, which MSI-X message ${res.messageCpus.indexOf(cpuNumber)} targets: the channel's interrupt does not reach the CPU its DPCs run on`);
      m.verifier.exercised('NDMA-CHAN-05');
      return;
    }
    const inUse = new Set<number>();
    for (const other of rec.channels.values()) {
      if (other === ch) continue;
      const i = engineChannelOf(other.completionPa);
      if (i === undefined) return;
      inUse.add(i);
    }
    const mine: Iterable<number> = rec.attributes?.DmaChannelCount === e.channelCount ? cmp.keys() : (seen ?? []);
    let better: number | undefined;
    for (const i of mine) if (better === undefined && i !== chosen && !inUse.has(i) && inMask(res.messageCpus[i])) better = i;
    m.verifier.check('NDMA-CHAN-05', better === undefined,
      () => `ProviderAllocateDmaChannel gave engine channel ${chosen}, whose interrupt targets CPU ${own}, outside ProcessorAffinityMask 0x${mask.toString(16)}, while its engine channel ${better} was free with its interrupt on CPU ${res.messageCpus[better!]}, in the mask`);
  }

  /** Frees a channel through ProviderFreeDmaChannel (no outstanding work on it, F26). */
  free(rec: ProviderRecord, ch: ChannelRecord): void {
    const m: ClientMachine = this.m;
    const handler = rec.chars.FreeDmaChannel!;
    const irql = m.chooser.choose(2, 'free-irql') === 1 ? DISPATCH_LEVEL : PASSIVE_LEVEL;
    const dpc = this.dpOf(ch);
    if (dpc !== undefined) {
      // Nothing may be outstanding at Free (F26): wait for the engine; cancel a channel halted on an error.
      this.dataPath!.quiesce();
      if (this.dataPath!.outstanding(dpc)) this.dataPath!.reset(dpc) || this.dataPath!.abort(dpc);
      this.dataPath!.verify(dpc);
    }
    m.trace.add('client', () => `NetDMA frees a channel of ${rec.name}`);
    // The handle stays valid until the handler returns: an ISR may still report on it meanwhile.
    callProvider(m, 'ProviderFreeDmaChannel', { cpu: m.cpus.current.cpu, irql }, 'void', () => this.runChannelHandler(() => handler(ch.providerChannelContext)));
    if (dpc?.hwKnown !== undefined && rec.device.powerState === 'D0') {
      // NDMA-CHAN-07: once Free returned, the engine channel the handle drove does no more DMA for it.
      const hw = m.engineOf(rec.device).channelSnapshot(dpc.hwKnown);
      m.verifier.check('NDMA-CHAN-07', hw.state !== 'active' && hw.state !== 'suspended', () => `ProviderFreeDmaChannel returned for ${dpc.name} with its engine channel ${dpc.hwKnown} still ${hw.state}: it could go on DMAing for a freed channel`);
    }
    rec.channels.delete(ch.handle);
    m.netdma.channelOwners.delete(ch.handle);
    if (dpc !== undefined) this.dataPath!.release(dpc);
    m.memory.free(ch.completionPa);
  }

  /** What NetDmaProviderStop does before returning: wait for outstanding DMA, free every channel (F11d). */
  drainAndFreeAll(rec: ProviderRecord): void {
    this.dataPath?.quiesce(rec);
    for (const ch of [...rec.channels.values()]) this.free(rec, ch);
  }
}
