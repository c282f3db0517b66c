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
    const cpu = ch.params.CpuNumber;
    out.value = cpu;
    this.isrCpu.set(h, cpu);
    const seq = m.trace.add('call', `NetDmaIsr(${typeof pa === 'bigint' ? '0x' + pa.toString(16) : String(pa)}) -> CpuNumber ${cpu}`);
    this.reports.push({ channel: ch, via: 'isr', descriptor: typeof pa === 'bigint' ? pa : -1n, cpu: ctx.cpu, seq });
    m.client.dataPath?.onNetDmaIsr(ch, pa, ctx.routine);
  }

  dpc(h: NET_DMA_CHANNEL_HANDLE, pa: PHYSICAL_ADDRESS): void {
    const m: DataPathMonitorHost = this.m;
    const { ch } = this.channel(h, 'NetDmaInterruptDpc');
    const ctx = m.cpus.current;
    m.verifier.check('KE-IRQL-03', ctx.irql === DISPATCH_LEVEL && ctx.routine.startsWith('DeferredRoutine'), () => `NetDmaInterruptDpc called at ${irqlName(ctx.irql)} from ${ctx.routine}; it belongs in the DPC at DISPATCH_LEVEL`);
    const seq = m.trace.add('call', `NetDmaInterruptDpc(${typeof pa === 'bigint' ? '0x' + pa.toString(16) : String(pa)}) on CPU ${ctx.cpu}`);
    this.reports.push({ channel: ch, via: 'dpc', descriptor: typeof pa === 'bigint' ? pa : -1n, cpu: ctx.cpu, seq });
    m.client.dataPath?.onNetDmaInterruptDpc(ch, pa, ctx.cpu);
  }
}
