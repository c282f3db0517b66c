import { DISPATCH_LEVEL, SIMULATED_DIRQL, irqlName } from '../api/irql';
import type { NET_DMA_CHANNEL_HANDLE } from '../api/netdma';
import type { OUT, PHYSICAL_ADDRESS } from '../api/wdm';
import type { KernelContext } from '../ke/context';
import type { ChannelRecord, NetDmaClientPort, NetDmaInterface, ProviderRecord } from './netdma-interface';

/** What the monitor uses of the machine. */
export interface DataPathMonitorHost extends KernelContext {
  readonly netdma: NetDmaInterface;
  readonly client: NetDmaClientPort;
}

/** What NetDMA was told about a channel's completions, for the data-path checks. */
export interface CompletionReport {
  readonly channel: ChannelRecord;
  readonly via: 'isr' | 'dpc';
  readonly descriptor: bigint;
  readonly cpu: number;
  readonly seq: number;
}

/**
 * NetDmaIsr and NetDmaInterruptDpc as NetDMA implements them: validates the channel handle and
 * the IRQL, picks the DPC processor, and records what was reported for the data-path properties.
 */
export class DataPathMonitor {
  readonly reports: CompletionReport[] = [];
  /** Per channel: the CPU NetDmaIsr returned last, for the DPC-target check. */
  readonly isrCpu = new Map<NET_DMA_CHANNEL_HANDLE, number>();
  /**
   * Per channel: the CPUs NetDmaIsr returned since the channel's last NetDmaInterruptDpc. A DPC
   * queued by any of those ISRs (a DPC already queued is not queued again) may run on any of them.
   */
  readonly isrCpusSinceDpc = new Map<NET_DMA_CHANNEL_HANDLE, number[]>();

  constructor(private readonly m: DataPathMonitorHost) {}

  private channel(h: unknown, api: string): { rec: ProviderRecord; ch: ChannelRecord } {
    const m: DataPathMonitorHost = this.m;
    const rec = typeof h === 'object' && h !== null ? m.netdma.channelOwners.get(h) : undefined;
    const ch = rec?.channels.get(h as NET_DMA_CHANNEL_HANDLE);
    if (!rec || !ch) m.verifier.fail('NDMA-CHAN-04', `${api} was passed a channel handle that is not allocated (freed, or never handed to ProviderAllocateDmaChannel)`);
    m.verifier.exercised('NDMA-CHAN-04');
    return { rec, ch };
  }

  isr(h: NET_DMA_CHANNEL_HANDLE, pa: PHYSICAL_ADDRESS, out: OUT<number>): void {
    const m: DataPathMonitorHost = this.m;
    const { ch } = this.channel(h, 'NetDmaIsr');
    const ctx = m.cpus.current;
    m.verifier.check('KE-IRQL-03', ctx.irql >= SIMULATED_DIRQL && ctx.routine.startsWith('ISR'), () => `NetDmaIsr called at ${irqlName(ctx.irql)} from ${ctx.routine}; it belongs in the ISR at DIRQL`);
    if (typeof out !== 'object' || out === null) m.verifier.fail('KAPI-01', 'NetDmaIsr: pCpuNumber is not a writable OUT box');
    const cpu = this.isrTargetCpu(ch);
    out.value = cpu;
    this.isrCpu.set(h, cpu);
    const since = this.isrCpusSinceDpc.get(h);
    if (since === undefined) this.isrCpusSinceDpc.set(h, [cpu]);
    else if (!since.includes(cpu)) since.push(cpu);
    const seq = m.trace.add('call', `NetDmaIsr(${typeof pa === 'bigint' ? '0x' + pa.toString(16) : String(pa)}) -> CpuNumber ${cpu}`);
    this.reports.push({ channel: ch, via: 'isr', descriptor: typeof pa === 'bigint' ? pa : -1n, cpu: ctx.cpu, seq });
    m.client.dataPath?.onNetDmaIsr(ch, pa, ctx.routine);
  }

  /**
   * The CPU NetDmaIsr writes to *pCpuNumber: "the CPU that is associated with the interrupt DPC"
   * (nf-netdma-netdmaisr.md). Usually the CpuNumber the provider reported for the channel; but
   * NetDMA may move a channel's completion processing to another CPU of the ProcessorAffinityMask
   * it gave (NDMA-INT-02's reading), so the chooser picks: 0 the channel's CpuNumber, else another CPU of the mask.
   */
  private isrTargetCpu(ch: ChannelRecord): number {
    const m: DataPathMonitorHost = this.m;
    const own = ch.params.CpuNumber;
    const mask = ch.params.ProcessorAffinityMask >>> 0;
    const n = Math.min(32, m.cpus.count);
    let others = 0;
    for (let c = 0; c < n; c++) if (c !== own && ((mask >>> c) & 1) === 1) others++;
    if (others === 0) return own;
    const k = m.chooser.choose(others + 1, 'netdma-isr-cpu');
    if (k === 0) return own;
    for (let c = 0, i = 0; c < n; c++) if (c !== own && ((mask >>> c) & 1) === 1 && ++i === k) return c;
    return own;
  }

  /** The CPUs a channel's DPC may run on now: those NetDmaIsr returned since its last DPC, else the last one (or its CpuNumber). */
  dpcCpusAllowed(h: NET_DMA_CHANNEL_HANDLE, cpuNumber: number): readonly number[] {
    const since = this.isrCpusSinceDpc.get(h);
    const last = this.isrCpu.get(h) ?? cpuNumber;
    return since !== undefined && since.length > 0 ? since : [last];
  }

  dpc(h: NET_DMA_CHANNEL_HANDLE, pa: PHYSICAL_ADDRESS): void {
    const m: DataPathMonitorHost = this.m;
    const { ch } = this.channel(h, 'NetDmaInterruptDpc');
    const ctx = m.cpus.current;
    m.verifier.check('KE-IRQL-03', ctx.irql === DISPATCH_LEVEL && ctx.routine.startsWith('DeferredRoutine'), () => `NetDmaInterruptDpc called at ${irqlName(ctx.irql)} from ${ctx.routine}; it belongs in the DPC at DISPATCH_LEVEL`);
    const seq = m.trace.add('call', `NetDmaInterruptDpc(${typeof pa === 'bigint' ? '0x' + pa.toString(16) : String(pa)}) on CPU ${ctx.cpu}`);
    this.reports.push({ channel: ch, via: 'dpc', descriptor: typeof pa === 'bigint' ? pa : -1n, cpu: ctx.cpu, seq });
    const allowed = this.dpcCpusAllowed(h, ch.params.CpuNumber);
    m.client.dataPath?.onNetDmaInterruptDpc(ch, pa, ctx.cpu, allowed);
    this.isrCpusSinceDpc.delete(h);
  }
}
