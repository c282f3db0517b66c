/**
 * The NetDMA client's data path: per allocated channel, descriptor chains built in simulated
 * memory and submitted through the provider's handlers in the orders the docs allow (F32a), and
 * every observation checked against a spec rule: the dmatest byte oracle, the write log, the
 * independent engine model (`runDatapath`) fed with the hardware-level operations NetDMA asked for
 * in the order the engine saw them (each at the register write that carried it, after the engine
 * steps taken before it; at the handler's return if the provider never issued it), and the
 * interrupt reports (NetDmaIsr / NetDmaInterruptDpc). Descriptors submitted with ControlFlags 0 must
 * be processed as plain copies, with no status write and no interrupt (NDMA-DP-20); some copies are
 * sized from the MaximumTransferSize the provider reported, exactly or just below it (NDMA-DP-16); an
 * ISR must not write transfer-control registers (NDMA-INT-06); and while NetDmaProviderStop waits for
 * outstanding DMA the device's interrupts must stay connected and enabled (NDMA-INT-07).
 *
 * NetDMA's own descriptors: a DCA provider (2.0 with DCA_SUPPORTED) gets a context change as the
 * only descriptor of a ProviderStartDma right after allocation, after ProviderResetChannel and after
 * power-up (F40, A10); the engine steps are then held against the channel's DCA targets
 * (NDMA-DCA-01/03/04). When a device goes to D3 its engine is function-reset (bus-driver.ts); after
 * power-up NetDMA restarts every allocated channel (1.1+: inside PowerUp; 1.0: once the D0 IRP
 * completed, with a NULL-operation Start, F39) and checks that the restart descriptor completed
 * with its status write and interrupt before copies go on (PWR-07, PWR-09).
 *
 * Why this file is over 400 lines: `ClientDataPath` is one state machine over every channel's
 * submissions — the handler in flight, the operations the engine has and has not seen, the
 * engine-listener callbacks that advance them and the checks that judge them all read and write
 * the same private bookkeeping, so splitting it would turn that state into a shared public
 * surface. What is per channel lives in dp-channel.ts, the chain layout in client-chain.ts.
 *
 * @module
 */
import type { RuleId } from '../../spec';
import {
  CHANCTRL,
  CHANNEL_REGISTERS,
  DCACTRL,
  GENERAL_REGISTERS,
  INTRCTRL,
  NET_DMA_DCA_CONTEXT_CHANGE,
  NET_DMA_DESCRIPTOR_OFFSETS,
  NET_DMA_DESCRIPTOR_SIZE,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_OP_TYPE_CONTEXT_CHANGE,
  NET_DMA_SERIALIZE_TRANSFER,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
  NetDmaTransferStatusHalted,
  REGISTER_BLOCK_SIZE,
  encodeDescriptorInto,
  faultPlan,
  hex,
  type ChanCmd,
  type EngineNotice,
  type EngineStepEvent,
  type Segment,
} from '../hardware';
import { checkCopy, diffRanges, fillDestinationPattern, fillSourcePattern, formatVerdict, runDatapath } from '../model/datapath';
import type { DatapathOp } from '../model/datapath';
import { DISPATCH_LEVEL, PASSIVE_LEVEL } from '../kernel/api/irql';
import { STATUS_SUCCESS } from '../kernel/api/ntstatus';
import type { OUT, PHYSICAL_ADDRESS } from '../kernel/api/wdm';
import { GUARD, concat, controlFlags, type CopySpec } from './client-chain';
import type { EngineListener } from '../kernel/hal/engine-runner';
import { callProvider } from '../kernel/ke/invoke';
import type { ClientMachine } from './channel-handler-runner';
import { checkHandlerStatus, type ChannelRecord, type ProviderRecord } from '../kernel/netdma/netdma-interface';
import type { SimDevice } from '../kernel/hal/sim-device';
import { RING_SLOTS, USER_CONTEXT, DpChannel, apicIdOf, isDcaProvider, type ClientFault, type Submitted } from './dp-channel';

export { DpChannel, apicIdOf, isDcaProvider, type ClientFault };

const QUIESCE_STEPS = 4 * RING_SLOTS;

/** Which pending operations a CHANCMD command reaching the engine applies. */
const COMMAND_OPS: Partial<Record<ChanCmd['kind'], readonly DatapathOp['op'][]>> = {
  start: ['start'],
  append: ['append'],
  suspend: ['suspend'],
  resume: ['resume'],
  abort: ['abort'],
  reset: ['reset'],
};

/**
 * Channel registers that start, feed, stop or program transfers (CHANCMD, DMACOUNT, CHAINADDR,
 * CHANCMP, DCACTRL), by offset in the channel block: none of them claims or acknowledges an
 * interrupt, so an ISR has no business writing them (NDMA-INT-06).
 */
const TRANSFER_CONTROL: ReadonlyMap<number, string> = new Map(
  (['CHANCMD', 'DMACOUNT', 'CHAINADDR', 'CHANCMP', 'DCACTRL'] as const).map((r) => [CHANNEL_REGISTERS[r].offset, r] as const),
);

/** Why NetDMA starts a channel on a control descriptor of its own (not a copy). */
type ControlReason = 'allocate' | 'context-lost' | 'power-up';

/**
 * NetDMA's data path over every allocated channel: the engine listener, the workload operations
 * (copy, suspend-edit-resume, abort, reset, faults, quiesce) and the checks.
 */
export class ClientDataPath implements EngineListener {
  readonly channels: DpChannel[] = [];
  /** The channel whose handler is running (its pending operations wait for the engine to see them). */
  #inFlight: DpChannel | null = null;
  /** Statistics for the properties. */
  readonly stats = { copies: 0, descriptors: 0, verifiedCopies: 0, errors: 0, isrs: 0, dpcs: 0, suspends: 0, aborts: 0, resets: 0 };

  constructor(private readonly m: ClientMachine) {}

  live(): DpChannel[] {
    return this.channels.filter((c) => !c.freed);
  }

  private byHw(dev: SimDevice, ch: number): DpChannel | undefined {
    const e = this.m.engineOf(dev);
    if (ch < 0 || ch >= e.channelCount) return undefined;
    const cmp = e.channelSnapshot(ch).completionAddress;
    let found: DpChannel | undefined;
    for (const c of this.channels) if (c.dev === dev && c.rec.completionPa === cmp) found = c;
    return found;
  }

  private byPa(pa: bigint): DpChannel | undefined {
    return this.channels.find((c) => c.ownsDescriptor(pa));
  }

  /** Checks a data-path rule: counted as exercised when it holds, a violation when not. */
  /**
   * NDMA-ADDR-02 (NDMA-ADDR-01 is the NetDMA client's, at allocation): right after the
   * handler returned, no engine channel's 64-bit address register holds `pa`'s low dword under
   * another high dword. Nothing is judged while the device is not in D0.
   */
  private checkWholeAddress(c: DpChannel, register: 'CHAINADDR', pa: bigint): void {
    if (c.dev.powerState !== 'D0' || c.dev.removed) return;
    const e = this.m.engineOf(c.dev);
    const ch = e.truncatedAddressChannel(register, pa);
    this.check('NDMA-ADDR-02', ch < 0, () =>
      `ProviderStartDma on ${c.name} returned with engine channel ${ch}'s CHAINADDR ${hex(e.channelSnapshot(ch).chainAddr)}: the low 32 bits of DescriptorPhysicalAddress ${hex(pa)} without its high dword (a 64-bit address kept in 32 bits)`);
  }

  private check(rule: RuleId, ok: boolean, msg: () => string): void {
    this.m.verifier.check(rule, ok, msg);
  }

  private fail(rule: RuleId, msg: string): never {
    return this.m.verifier.fail(rule, msg);
  }

  // ---- engine listener ----

  onStep(dev: SimDevice, ev: EngineStepEvent): void {
    const pa = ev.kind === 'idle' ? ev.afterPa : ev.descriptorPa;
    const c = this.byPa(pa) ?? this.byHw(dev, ev.ch);
    if (c === undefined) return;
    this.check('NDMA-DP-22', !(c.freed), () => `the engine processed descriptor ${hex(pa)} of ${c.name} after ProviderFreeDmaChannel returned (${ev.text})`);
    if (ev.kind === 'error' && ev.injected) {
      // The model cannot force an error: it sees the same descriptor made invalid for one step.
      const at = pa + BigInt(NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags);
      const orig = this.m.memory.read(at, 4);
      const bad = orig.slice();
      bad[1] = bad[1]! | 0x01; // ControlFlags bit 0x100: undefined, a descriptor-control error
      c.ops.push({ op: 'cpu-write', pa: at, bytes: bad }, { op: 'step', count: 1 }, { op: 'cpu-write', pa: at, bytes: orig });
      this.m.engineOf(dev).setFaults(faultPlan(...this.m.engineOf(dev).faults.rules.filter((r) => !('when' in r) || r.when === undefined || !r.when({ channel: ev.ch, ordinal: 0, descriptorPa: pa }))));
    } else {
      c.ops.push({ op: 'step', count: 1 });
    }
    if (ev.kind === 'idle') return;
    if (ev.kind !== 'error') this.checkPlainCopy(c, ev);
    if (c.dca) this.checkDcaStep(c, ev);
    if (ev.completionWrite !== undefined) c.words.push(ev.completionWrite.word);
    if (ev.interrupt === 'raised' || ev.interrupt === 'lost') c.interrupts++;
    if (ev.interrupt === 'lost' || ev.interrupt === 'dropped') c.lostInterrupt = true;
    if (ev.kind === 'error') {
      this.stats.errors++;
      c.errors.add(pa);
      c.lastFault = pa;
      c.errorSinceDpc = true;
      return;
    }
    c.completedIdx.set(pa, c.completed.length);
    c.completed.push(pa);
    if ((ev.controlFlags & NET_DMA_INTERRUPT_ON_COMPLETION) !== 0 && c.owed === null) c.owed = c.completed.length - 1;
  }

  /**
   * NDMA-DP-20 (F35, F34, A10): a standard descriptor NetDMA submitted with ControlFlags 0 (and did
   * not edit since) is processed as a plain copy with those flags: no completion-status write, no
   * interrupt. A provider that rewrites the flags (forcing a status write or an interrupt, or making
   * it a NULL transfer) fails here, when the engine processes the descriptor.
   */
  private checkPlainCopy(c: DpChannel, ev: Exclude<EngineStepEvent, { kind: 'idle' | 'error' }>): void {
    const s = c.submitted.get(ev.descriptorPa);
    if (s === undefined || s.flags !== 0 || s.control !== undefined || c.edited.has(ev.descriptorPa)) return;
    this.check('NDMA-DP-20', ev.kind === 'copied' && ev.controlFlags === 0 && ev.completionWrite === undefined && ev.interrupt === 'none',
      () => `${c.name}: descriptor ${hex(ev.descriptorPa)} was submitted with ControlFlags 0 (a plain ${s.spec.kind === 'zero' ? 'zero-length ' : ''}copy: no status write, no interrupt), but the engine processed it ${ev.kind === 'copied' ? 'as a copy' : `as ${ev.kind === 'null' ? 'a NULL transfer' : 'a context change'}`} with ControlFlags 0x${(ev.controlFlags >>> 0).toString(16)}${ev.completionWrite !== undefined ? ', writing a completion status' : ''}${ev.interrupt !== 'none' ? `, requesting an interrupt (${ev.interrupt})` : ''} (${ev.text}): the provider changed the descriptor's flags`);
  }

  /**
   * DCA checks of one engine step on a DCA provider's channel (F40): a context change NetDMA sent is
   * processed as one, with its APIC id, moving no data (NDMA-DCA-03); afterwards destination hints of
   * DESTINATION_DCA_ENABLE copies and completion-write hints go to that APIC id until the next
   * context change (NDMA-DCA-01); before any context change, completion writes go to the channel's
   * CpuNumber (NDMA-DCA-04).
   */
  private checkDcaStep(c: DpChannel, ev: Exclude<EngineStepEvent, { kind: 'idle' }>): void {
    const s = c.submitted.get(ev.descriptorPa);
    const sent = s?.control?.kind === 'context-change' ? s.control : undefined;
    if (sent !== undefined && ev.kind !== 'error') {
      this.check('NDMA-DCA-03', ev.kind === 'context-change', () => `${c.name}: the context-change descriptor ${hex(ev.descriptorPa)} (APIC id ${sent.apicId}) was processed as ${ev.kind === 'copied' ? 'a copy' : 'a NULL transfer'} (${ev.text}); the provider must pass it to the engine unchanged`);
    }
    if (ev.kind === 'context-change') {
      if (sent !== undefined) {
        this.check('NDMA-DCA-03', ev.apicId === sent.apicId && ((ev.completionWrite !== undefined) === ((ev.controlFlags & NET_DMA_STATUS_UPDATE_ON_COMPLETION) !== 0)),
          () => `${c.name}: the context change ${hex(ev.descriptorPa)} for APIC id ${sent.apicId} was processed as one for APIC id ${ev.apicId} (${ev.text})`);
      }
      c.dcaNow = ev.apicId;
    }
    if (ev.kind === 'copied' && ev.dcaRequested && ev.bytes > 0) {
      this.check('NDMA-DCA-01', ev.dcaTarget === c.dcaNow, () => `${c.name}: the DESTINATION_DCA_ENABLE copy ${hex(ev.descriptorPa)} sent its DCA hint to ${ev.dcaTarget === undefined ? 'no CPU' : `APIC id ${ev.dcaTarget}`}; the channel's last context change named ${c.dcaNow === undefined ? 'none (it was lost)' : `APIC id ${c.dcaNow}`}`);
    }
    if (ev.completionWrite !== undefined) this.checkCompletionHint(c, ev.completionWrite.dcaTarget, hex(ev.descriptorPa));
  }

  /** Where a DCA provider's completion-status write sends its hint: the last context change's APIC id, else CpuNumber. */
  private checkCompletionHint(c: DpChannel, got: number | undefined, what: string): void {
    const want = c.dcaNow ?? apicIdOf(c.rec.params.CpuNumber);
    const rule: RuleId = c.dcaNow === undefined ? 'NDMA-DCA-04' : 'NDMA-DCA-01';
    this.check(rule, got === want, () => `${c.name}: the completion-status write for ${what} sent its DCA hint to ${got === undefined ? 'no CPU' : `APIC id ${got}`}, not to ${c.dcaNow === undefined ? `CpuNumber ${c.rec.params.CpuNumber} (the binding ProviderAllocateDmaChannel must make)` : `APIC id ${want} (the last context change)`}`);
  }

  onNotice(dev: SimDevice, n: EngineNotice): void {
    const f = this.#inFlight;
    if (n.kind === 'command' && f !== null && f.dev === dev && f.pendingHw === n.ch) {
      const kinds = COMMAND_OPS[n.command];
      if (kinds !== undefined) this.engineSaw(n.ch, kinds);
      if (n.command === 'reset') f.hwDmaCount = this.m.engineOf(dev).channelSnapshot(n.ch).dmaCount;
    }
    const c = this.byHw(dev, n.ch);
    if (c === undefined || c.freed) return;
    if (n.kind === 'completion-write' && c.dca) this.checkCompletionHint(c, n.write.dcaTarget, `${n.reason === 'suspend' ? 'SUSPEND' : 'ABORT'}`);
    if (n.kind === 'completion-write') c.words.push(n.write.word);
    if (n.kind === 'interrupt') c.interrupts++;
    if (n.kind === 'halt') {
      c.errorSinceDpc = true;
      if (n.interrupt === 'raised') c.interrupts++;
    }
  }

  onRegisterWrite(dev: SimDevice, offset: number, width: number, value: bigint): void {
    const block = Math.floor(offset / REGISTER_BLOCK_SIZE);
    if (block === 0) return;
    const inner = offset % REGISTER_BLOCK_SIZE;
    const control = TRANSFER_CONTROL.get(inner);
    if (control !== undefined) this.checkIsrWrite(dev, block - 1, control);
    const f = this.#inFlight;
    const dmaCount = CHANNEL_REGISTERS.DMACOUNT;
    if (f !== null && f.dev === dev && f.pendingHw === block - 1 && inner < dmaCount.offset + dmaCount.size && inner + width > dmaCount.offset) {
      // A DMACOUNT write that changed the count hands work over (or starts an armed counted chain).
      const now = this.m.engineOf(dev).channelSnapshot(block - 1).dmaCount;
      if (now !== f.hwDmaCount) this.engineSaw(block - 1, ['start-counted', 'add-count']);
      f.hwDmaCount = now;
    }
    if (inner !== CHANNEL_REGISTERS.CHANCTRL.offset || width > 2) return;
    if ((Number(value) & CHANCTRL.INT_REARM) === 0) return;
    const c = this.byHw(dev, block - 1);
    if (c !== undefined && !c.freed) c.ops.push({ op: 'rearm' });
  }

  /**
   * NDMA-INT-06 (SHOULD, F12d): the ISR claims and acknowledges the interrupt and calls NetDmaIsr; it
   * does not start, feed, stop, reset or re-program a channel (a write of a transfer-control
   * register), which is completion processing for the DPC or NetDMA's own handlers. Judged on each
   * such write; counted as exercised at each NetDmaIsr an ISR makes.
   */
  private checkIsrWrite(dev: SimDevice, ch: number, register: string): void {
    const routine = this.m.cpus.current.routine;
    if (routine.startsWith('ISR')) this.fail('NDMA-INT-06', `${routine} wrote ${register} of ${dev.pdo.Name} engine channel ${ch}: an ISR only claims and acknowledges the interrupt and calls NetDmaIsr; starting, stopping, resetting or re-programming a channel is left to the DPC and to NetDMA's handlers`);
  }

  onInterruptRaised(dev: SimDevice, ch: number): void {
    const c = this.byHw(dev, ch);
    if (c === undefined || c.freed) return;
    const floor = c.completed.length - 1;
    if (c.isrFloor === null) c.isrFloor = floor;
  }

  onIsr(dev: SimDevice, ch: number): void {
    if (this.m.options.interrupts === 'msix') {
      this.isrSees(dev, ch);
      return;
    }
    // A shared interrupt (MSI, line) tells the ISR its channels only through ATTNSTATUS: it sees
    // those whose bit is set (an earlier invocation may have read and cleared the delivered one's).
    const attn = this.m.engineOf(dev).attentionStatus;
    for (let i = 0; i < 32; i++) if (((attn >>> i) & 1) === 1) this.isrSees(dev, i);
  }

  /** The ISR about to run is told about engine channel `ch`: an error it halted on is the ISR's to see. */
  private isrSees(dev: SimDevice, ch: number): void {
    const c = this.byHw(dev, ch);
    if (c === undefined || c.freed) return;
    const hw = c.hw();
    if (hw !== undefined && hw.state === 'halted' && hw.haltCause === 'error') c.errorToReport = true;
  }

  // ---- NetDmaIsr / NetDmaInterruptDpc ----

  onNetDmaIsr(ch: ChannelRecord, pa: unknown, _routine: string): void {
    const c = this.channels.find((x) => x.rec === ch);
    if (c === undefined) return;
    this.stats.isrs++;
    c.isrSinceReport = true;
    this.m.verifier.exercised('NDMA-INT-06');
    // Any ISR may report any channel (one ISR can service every channel ATTNSTATUS flags, whichever
    // message ran it, and so recover a lost interrupt): what it reports is held to that channel's
    // own history below (a wrong channel handle reports a descriptor the channel never completed).
    if (typeof pa !== 'bigint') this.fail('NDMA-INT-01', `NetDmaIsr was passed ${String(pa)} for ${c.name}, not a physical address`);
    if (c.errors.has(pa)) {
      c.isrFloor = null;
      return;
    }
    const idx = c.completedIdx.get(pa);
    const floor = c.isrFloor ?? -1;
    const want = floor >= 0 ? c.completed[floor] : undefined;
    this.check('NDMA-INT-01', idx !== undefined && idx >= floor, () => `NetDmaIsr for ${c.name} reported descriptor ${hex(pa)}, which ${idx === undefined ? `the channel has not completed${truncationNote(c, pa)}` : 'is older than the last completed descriptor when the interrupt was raised'}${want !== undefined ? ` (expected ${hex(want)} or a later completed one)` : ''}`);
    c.isrFloor = null;
  }

  onNetDmaInterruptDpc(ch: ChannelRecord, pa: unknown, cpu: number, allowedCpus: readonly number[]): void {
    const c = this.channels.find((x) => x.rec === ch);
    if (c === undefined) return;
    this.stats.dpcs++;
    this.check('NDMA-INT-02', allowedCpus.includes(cpu), () => `the DPC of ${c.name} ran on CPU ${cpu}, but NetDmaIsr returned CPU ${allowedCpus.join(' or ')}; target the DPC with KeSetTargetProcessorDpc before queuing it`);
    if (typeof pa !== 'bigint') this.fail('NDMA-INT-03', `NetDmaInterruptDpc was passed ${String(pa)} for ${c.name}, not a physical address`);
    // A DPC queued for a completion the ISR captured before the error may still report that
    // descriptor (one ISR serving several channels can have taken it earlier); the error itself must
    // then be reported with NULL by a later DPC (checked when everything has run, quiesce).
    const completedBefore = c.errorToReport && typeof pa === 'bigint' && pa !== 0n && c.completedIdx.has(pa) && !c.errors.has(pa);
    if (c.errorToReport && !completedBefore) this.check('NDMA-DP-18', pa === 0n, () => `${c.name} halted on an error (seen by the ISR), but the DPC called NetDmaInterruptDpc with ${hex(pa)}${typeof pa === 'bigint' && c.errors.has(pa) ? ' (the faulting descriptor)' : typeof pa === 'bigint' && c.completedIdx.has(pa) ? ' (a descriptor completed before the error)' : ''} instead of NULL: an error reported as a successful completion`);
    if (pa === 0n) {
      // NULL after an error reports the error (F13a); NetDMA recovers the channel, so nothing stays owed.
      // NULL with no error since the previous DPC is a call "for reasons other than DMA completion"
      // (netdma.h; DmaDescriptor is _In_opt_, A5): allowed, but it reports nothing, so a completion
      // owed now must still be reported by a later call (checked when everything has run, quiesce).
      this.m.verifier.exercised('NDMA-INT-03');
      const error = c.errorToReport || c.errorSinceDpc;
      c.errorToReport = false;
      c.errorSinceDpc = false;
      if (error) {
        c.owed = null;
        c.nullOver = null;
      } else if (c.owed !== null && c.nullOver === null) {
        c.nullOver = c.owed;
      }
      return;
    }
    const idx = c.completedIdx.get(pa);
    this.check('NDMA-INT-03', !(idx === undefined && !c.errors.has(pa)), () => `the DPC of ${c.name} reported descriptor ${hex(pa)}, which the channel has not completed${truncationNote(c, pa as bigint)}`);
    this.checkReportHistory(c, pa, idx);
    if (idx !== undefined && c.owed !== null && idx >= c.owed) {
      c.owed = null;
      c.nullOver = null;
    }
    c.errorSinceDpc = false;
  }

  /**
   * The history checks of a non-NULL NetDmaInterruptDpc, O(1) against the engine's own record
   * (`completedIdx`: the order in which the engine completed the channel's descriptors; `lastFault`:
   * the descriptor it last halted on since allocation or reset). NDMA-DP-18: that descriptor, never
   * completed, is not reported as completed — NULL reports the error (F13a). A DPC queued before a
   * ProviderResetChannel and running after it is not judged here (a report from before the reset). NDMA-HIST-01: each
   * completion is reported once — the descriptor is newer than the one the previous report named, or
   * the same one after a new NetDmaIsr (a pending interrupt raised at re-arm that found nothing newer).
   * "Ahead of the engine" (a descriptor not completed yet, such as CDAR's) is NDMA-INT-03's, checked before.
   */
  private checkReportHistory(c: DpChannel, pa: bigint, idx: number | undefined): void {
    if (idx === undefined) {
      if (pa === c.lastFault) this.fail('NDMA-DP-18', `the DPC of ${c.name} reported descriptor ${hex(pa)} as the last completed one, but the engine halted on it with an error (CHANERR) and never completed it: a failed copy reported as done; after an error the DPC passes NULL and nothing else`);
      return;
    }
    const last = c.reportedIdx;
    // Written out rather than through check() so that a report that holds allocates nothing.
    if (idx > last || (idx === last && c.isrSinceReport)) this.m.verifier.exercised('NDMA-HIST-01');
    else if (idx === last) this.fail('NDMA-HIST-01', `the DPC of ${c.name} reported descriptor ${hex(pa)} again with no NetDmaIsr in between: NetDmaInterruptDpc already named it, and no new interrupt came; one completion is reported once`);
    else this.fail('NDMA-HIST-01', `the DPC of ${c.name} reported descriptor ${hex(pa)} (completed #${idx + 1}), older than ${hex(c.completed[last]!)} (completed #${last + 1}) which an earlier NetDmaInterruptDpc already named: the completions between them would be reported twice`);
    c.reportedIdx = idx;
    c.isrSinceReport = false;
  }

  // ---- workload operations ----

  /**
   * Calls a provider handler for `c`. `intents` are the hardware-level operations the NetDMA call
   * stands for (the model's vocabulary: `start`, `start-counted`, `append`, `add-count`, `suspend`,
   * `resume`, `abort`, `reset`). They are not fed to the model when the handler is called but when
   * the engine sees them — the CHANCMD command reaching the channel, the DMACOUNT write that changes
   * the count (see {@link ClientDataPath.engineSaw}) — so that engine steps taken at preemption points
   * inside the handler (a register read before the DMACOUNT write, say) come first, as they did on
   * the hardware. Whatever the engine has not seen by the time the handler returns is applied then:
   * the call's deadline, so a provider that never hands the work over still diverges from the model.
   */
  private call(c: DpChannel, handler: string, fn: () => unknown, returns: 'ntstatus' | 'void', intents: readonly DatapathOp[] = []): number {
    const m = this.m;
    const cpu = m.chooser.choose(m.cpus.count, 'client-cpu');
    const irql = m.chooser.choose(2, 'client-irql') === 1 ? DISPATCH_LEVEL : PASSIVE_LEVEL;
    const outer = this.#inFlight;
    c.pending.push(...intents);
    c.pendingHw = c.pending.length > 0 ? c.hwIndex() : undefined;
    c.hwDmaCount = c.pendingHw === undefined ? 0 : m.engineOf(c.dev).channelSnapshot(c.pendingHw).dmaCount;
    this.#inFlight = c;
    let r: unknown;
    try {
      r = callProvider(m, `${handler}(${c.name})`, { cpu, irql }, returns, () => m.client.runChannelHandler(fn));
    } finally {
      this.#inFlight = outer;
      // The handler returned: what the engine has not seen is due now.
      c.ops.push(...c.pending.splice(0));
      c.pendingHw = undefined;
    }
    return returns === 'ntstatus' ? checkHandlerStatus(m, handler, r) : STATUS_SUCCESS;
  }

  /**
   * The engine channel `hw` of the channel whose handler is running saw a register effect: apply
   * the oldest pending operation of one of `kinds` now, after the engine steps already taken, and
   * every pending operation before it (ABORT skipped by a Reset that only writes RESET, say).
   */
  private engineSaw(hw: number, kinds: readonly DatapathOp['op'][]): void {
    const c = this.#inFlight;
    if (c === null || c.pendingHw !== hw || c.pending.length === 0) return;
    const k = c.pending.findIndex((op) => kinds.includes(op.op));
    if (k >= 0) c.ops.push(...c.pending.splice(0, k + 1));
  }

  /** Builds a chain for `specs` and submits it (Start when required, else Append). Returns false when nothing was submitted. */
  copy(c: DpChannel, specs: readonly CopySpec[]): boolean {
    const m = this.m;
    if (c.freed || c.prov.state !== 'started' || c.prov.poweredDown) return false;
    // The hardware forgot the channel's DCA target (Reset): a context change heads the next Start (F40).
    if (c.dca && c.needsContextChange && (c.needsStart || c.tail === null)) this.controlStart(c, 'context-lost');
    const built: Submitted[] = [];
    for (const spec0 of specs) {
      if (c.slotsLeft() < 1) break;
      let spec = this.sized(c, spec0);
      if (c.pendingFault === 'lost-interrupt') spec = { ...spec, interrupt: true };
      const pageBreak = c.counted && spec.kind === 'copy' ? spec.pageBreak : 'none';
      let src: Segment[] = [];
      let dst: Segment[] = [];
      let srcRegions: Segment[] = [];
      let dstRegions: Segment[] = [];
      if (spec.kind === 'copy') {
        const s = c.src.carve(spec.length, spec.srcSkew, pageBreak === 'src' || pageBreak === 'both');
        const d = s && c.dst.carve(spec.length, spec.dstSkew, pageBreak === 'dst' || pageBreak === 'both');
        if (!s || !d) break;
        src = s.segments;
        dst = d.segments;
        srcRegions = s.regions;
        dstRegions = d.regions;
        // dmatest patterns over the guarded regions, windows marked.
        for (const [regions, segs, fill] of [[srcRegions, src, fillSourcePattern], [dstRegions, dst, fillDestinationPattern]] as const) {
          regions.forEach((r, i) => {
            const buf = new Uint8Array(r.length);
            const seg = segs[i]!;
            fill(buf, Number(seg.pa - r.pa), seg.length);
            c.cpuWrite(r.pa, buf);
          });
        }
      }
      const pa = c.takeSlot();
      const flags = controlFlags({ ...spec, pageBreak }, c.counted);
      built.push({
        pa,
        spec,
        flags,
        src,
        dst,
        srcRegions,
        dstRegions,
        srcBefore: srcRegions.map((r) => m.memory.read(r.pa, r.length)),
        dstBefore: dstRegions.map((r) => m.memory.read(r.pa, r.length)),
        control: undefined,
        controlRule: undefined,
      });
    }
    if (built.length === 0) return false;
    // Descriptors: linked chains end in NULL; counted chains point at the next free slot (F36).
    built.forEach((b, i) => {
      const next = i + 1 < built.length ? built[i + 1]!.pa : c.counted ? c.nextSlot() : 0n;
      const bytes = new Uint8Array(NET_DMA_DESCRIPTOR_SIZE);
      encodeDescriptorInto(bytes, 0, {
        TransferSize: b.spec.kind === 'copy' ? b.spec.length : 0,
        ControlFlags: b.flags,
        SourceAddress: b.src[0]?.pa ?? c.src.base,
        DestinationAddress: b.dst[0]?.pa ?? c.dst.base,
        NextDescriptor: next,
        NextSourceAddress: b.src[1]?.pa ?? 0n,
        NextDestinationAddress: b.dst[1]?.pa ?? 0n,
        UserContext1: USER_CONTEXT | BigInt(i),
        UserContext2: b.pa,
      });
      c.cpuWrite(b.pa, bytes);
      c.submitted.set(b.pa, b);
      c.order.push(b.pa);
    });
    for (const b of built) if ((b.flags & NET_DMA_STATUS_UPDATE_ON_COMPLETION) !== 0) c.statusUpdates = true;
    this.stats.copies += built.filter((b) => b.spec.kind === 'copy').length;
    this.stats.descriptors += built.length;
    this.armFault(c, built);
    const head = built[0]!.pa;
    const va = m.hal.kernelVaFor(head);
    const count = built.length;
    const start = c.needsStart || c.tail === null;
    if (start) {
      m.trace.add('client', `NetDMA starts ${c.name} with ${count} descriptor(s) at ${hex(head)}`);
      const handler = c.prov.chars.StartDma!;
      const intent: DatapathOp = c.counted ? { op: 'start-counted', head, count } : { op: 'start', head };
      const st = this.call(c, 'ProviderStartDma', () => handler(c.rec.providerChannelContext, va, head, count), 'ntstatus', [intent]);
      this.checkWholeAddress(c, 'CHAINADDR', head);
      this.checkMaxTransferAccepted(c, built, 'ProviderStartDma', st);
      if (!c.started) this.check('NDMA-CHAN-06', st === STATUS_SUCCESS, () => `the first ProviderStartDma on ${c.name} after ProviderAllocateDmaChannel returned success failed (0x${st.toString(16)}): the channel was not usable`);
      // A Start refused after Abort or Reset breaks what those handlers promise ("After the abort
      // operation completes, the DMA channel must be ready for ... ProviderStartDma").
      const startRule = !c.needsStart ? 'NDMA-DP-06' : c.startAfter === 'abort' ? 'NDMA-DP-12' : c.startAfter === 'reset' ? 'NDMA-DP-13' : 'NDMA-DP-06';
      this.check(startRule, !(st !== STATUS_SUCCESS), () => `ProviderStartDma on ${c.name} failed (0x${st.toString(16)}) ${c.needsStart && c.startAfter !== 'allocate' ? `after ProviderAbortDma/ProviderResetChannel (${c.startAfter}): the channel must be ready for ProviderStartDma once that handler returns` : 'on a channel that must accept it (after allocation, Abort or Reset)'}`);
      c.started = true;
      c.needsStart = false;
    } else {
      m.trace.add('client', `NetDMA appends ${count} descriptor(s) at ${hex(head)} to ${c.name}`);
      if (!c.counted) {
        // Pre-2.0: NetDMA patches the old tail before calling Append (F28).
        const patch = new Uint8Array(8);
        new DataView(patch.buffer).setBigUint64(0, head, true);
        c.cpuWrite(c.tail! + BigInt(NET_DMA_DESCRIPTOR_OFFSETS.NextDescriptor), patch);
      }
      const handler = c.prov.chars.AppendDma!;
      const intent: DatapathOp = c.counted ? { op: 'add-count', count } : { op: 'append' };
      const st = this.call(c, 'ProviderAppendDma', () => handler(c.rec.providerChannelContext, va, head, count), 'ntstatus', [intent]);
      this.checkMaxTransferAccepted(c, built, 'ProviderAppendDma', st);
      this.check(c.counted ? 'NDMA-DP-08' : 'NDMA-DP-07', !(st !== STATUS_SUCCESS), () => `ProviderAppendDma on ${c.name} failed (0x${st.toString(16)})`);
    }
    c.tail = built[built.length - 1]!.pa;
    return true;
  }

  /**
   * A copy spec sized from the provider (`belowMax`, NDMA-DP-16) becomes a copy of
   * `MaximumTransferSize - belowMax` bytes, the maximum the provider reported at NetDmaProviderStart,
   * when both of the channel's arenas can still hold it; otherwise it keeps its drawn length and is
   * no longer marked.
   */
  private sized(c: DpChannel, spec: CopySpec): CopySpec {
    if (spec.belowMax === undefined) return spec;
    const { belowMax, ...drawn } = spec;
    const max = c.prov.attributes?.MaximumTransferSize;
    if (spec.kind !== 'copy' || max === undefined) return drawn;
    const length = max - belowMax;
    return length >= 1 && c.src.fits(length) && c.dst.fits(length) ? { ...drawn, length, belowMax } : drawn;
  }

  /**
   * NDMA-DP-16: ProviderStartDma / ProviderAppendDma accept a chain holding a descriptor sized from
   * the MaximumTransferSize the provider reported (checked before the generic Start/Append status
   * rules, which a refusal of such a chain breaks as well).
   */
  private checkMaxTransferAccepted(c: DpChannel, built: readonly Submitted[], handler: string, st: number): void {
    const big = built.find((b) => b.spec.belowMax !== undefined);
    if (big === undefined) return;
    this.check('NDMA-DP-16', st === STATUS_SUCCESS, () => `${handler} on ${c.name} failed (0x${st.toString(16)}) for a chain holding descriptor ${hex(big.pa)} of ${big.spec.length} byte(s), within the MaximumTransferSize ${c.prov.attributes?.MaximumTransferSize ?? '?'} the provider reported at NetDmaProviderStart`);
  }

  private armFault(c: DpChannel, built: readonly Submitted[]): void {
    const f = c.pendingFault;
    if (f === null || f === 'stall') return;
    c.pendingFault = null;
    const target = f === 'lost-interrupt' ? built.find((b) => (b.flags & NET_DMA_INTERRUPT_ON_COMPLETION) !== 0) : built[0];
    if (target === undefined) return;
    const e = this.m.engineOf(c.dev);
    const pa = target.pa;
    const rules = Array.from({ length: e.channelCount }, (_, channel) => ({ kind: f, channel, when: (x: { descriptorPa: bigint }) => x.descriptorPa === pa }));
    e.setFaults(faultPlan(...e.faults.rules, ...rules));
    this.m.trace.add('client', `fault injected: ${f} on descriptor ${hex(pa)} of ${c.name}`);
  }

  /** Arms a fault: a stall now, the others on the channel's next descriptor. */
  inject(c: DpChannel, f: ClientFault): void {
    if (c.freed) return;
    if (f !== 'stall') {
      c.pendingFault = f;
      return;
    }
    const i = c.hwIndex();
    if (i === undefined) return;
    const e = this.m.engineOf(c.dev);
    e.setFaults(faultPlan(...e.faults.rules, { kind: 'stall', channel: i }));
    this.m.trace.add('client', `fault injected: engine channel ${i} (${c.name}) stalls`);
  }

  /** Suspend, edit the unprocessed part of the list (make it NULL transfers), Resume (F29, F30). */
  suspendEditResume(c: DpChannel, edit: boolean): void {
    const m = this.m;
    const { SuspendDma, ResumeDma } = c.prov.chars;
    if (c.freed || c.needsStart || c.tail === null || !SuspendDma || !ResumeDma || c.prov.poweredDown) return;
    const hw = c.hw();
    if (hw === undefined || (hw.state !== 'active' && hw.state !== 'idle')) return;
    this.stats.suspends++;
    m.trace.add('client', `NetDMA suspends ${c.name}`);
    const out: OUT<PHYSICAL_ADDRESS> = {};
    const st = this.call(c, 'ProviderSuspendDma', () => SuspendDma(c.rec.providerChannelContext, out), 'ntstatus', [{ op: 'suspend' }]);
    this.check('NDMA-DP-09', !(st !== STATUS_SUCCESS), () => `ProviderSuspendDma on a running ${c.name} failed`);
    const last = out.value;
    if (typeof last !== 'bigint') this.fail('NDMA-DP-09', `ProviderSuspendDma on ${c.name} did not write *pLastDescriptor`);
    c.suspendReports.push(last);
    const after = c.hw();
    this.check('NDMA-DP-09', !(after !== undefined && after.state === 'active'), () => `ProviderSuspendDma on ${c.name} returned while the engine is still processing descriptors`);
    if (edit) {
      const i = c.order.indexOf(last);
      // NetDMA edits its copies, never its own control descriptors (context changes, NULL restarts).
      const rest = i < 0 ? [] : c.order.slice(i + 1).filter((pa) => c.submitted.get(pa)!.control === undefined);
      for (const pa of rest) {
        const s = c.submitted.get(pa)!;
        const flags = (s.flags & (NET_DMA_STATUS_UPDATE_ON_COMPLETION | NET_DMA_INTERRUPT_ON_COMPLETION)) | NET_DMA_NULL_TRANSFER;
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, flags, true);
        c.cpuWrite(pa + BigInt(NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags), b);
        c.edited.add(pa);
      }
      if (rest.length > 0) m.trace.add('client', `NetDMA turns ${rest.length} unprocessed descriptor(s) after ${hex(last)} into NULL transfers`);
    }
    m.trace.add('client', `NetDMA resumes ${c.name}`);
    const st2 = this.call(c, 'ProviderResumeDma', () => ResumeDma(c.rec.providerChannelContext), 'ntstatus', [{ op: 'resume' }]);
    this.check('NDMA-DP-10', !(st2 !== STATUS_SUCCESS), () => `ProviderResumeDma on a suspended ${c.name} failed`);
  }

  /** ProviderAbortDma (F31): after it returns the engine must have stopped. */
  abort(c: DpChannel): void {
    const h = c.prov.chars.AbortDma;
    if (c.freed || !h || c.tail === null || c.needsStart) return;
    this.stats.aborts++;
    this.m.trace.add('client', `NetDMA aborts ${c.name}`);
    const before = c.hw();
    const errored = before !== undefined && before.state === 'halted' && before.chanerr !== 0;
    this.call(c, 'ProviderAbortDma', () => h(c.rec.providerChannelContext), 'ntstatus', [{ op: 'abort' }]);
    const hw = c.hw();
    // A channel halted on an error ignores ABORT. The provider may leave it so, or RESET it so that
    // it is "ready for ... ProviderStartDma" once the abort completes (aborting-a-dma-transfer.md):
    // both are read as correct, and the model follows the one the hardware shows.
    if (errored && hw !== undefined && hw.state === 'armed' && hw.chanerr === 0) c.ops.push({ op: 'reset' });
    this.check('NDMA-DP-12', hw === undefined || hw.state === 'halted' || hw.state === 'armed', () => `ProviderAbortDma on ${c.name} returned with the engine channel ${hw!.state}, not stopped`);
    if (c.statusUpdates && hw !== undefined && hw.state === 'halted' && hw.haltCause === 'abort') {
      // NDMA-HIST-02 (F31): the abort halted a channel whose completion word NetDMA uses: the word says Halted.
      const word = this.m.memory.readU64(c.rec.completionPa);
      this.check('NDMA-HIST-02', (word & 0x7n) === BigInt(NetDmaTransferStatusHalted), () => `ProviderAbortDma halted ${c.name} (CHANSTS 0x${hw.chansts.toString(16)}), on which NetDMA requested completion status, but the completion word reads 0x${word.toString(16)}, not the NetDmaTransferStatusHalted status (${NetDmaTransferStatusHalted}): the engine was left without halt-status writes (CHANCTRL 0x${hw.chanctrl.toString(16)}, ERR_COMPLETION_EN ${(hw.chanctrl & CHANCTRL.ERR_COMPLETION_EN) !== 0 ? 'set' : 'clear'})`);
    }
    c.needsStart = true;
    c.startAfter = 'abort';
  }

  /** ProviderResetChannel (F32): back to the just-allocated state. */
  reset(c: DpChannel): boolean {
    const h = c.prov.chars.ResetChannel;
    if (c.freed || !h) return false;
    this.stats.resets++;
    this.m.trace.add('client', `NetDMA resets ${c.name}`);
    this.call(c, 'ProviderResetChannel', () => h(c.rec.providerChannelContext), 'ntstatus', [{ op: 'abort' }, { op: 'reset' }]);
    const hw = c.hw();
    this.check('NDMA-DP-13', hw !== undefined && hw.state === 'armed' && hw.chanerr === 0 && hw.dmaCount === 0, () => `ProviderResetChannel on ${c.name} returned with the engine channel ${hw === undefined ? 'no longer bound to the channel' : `${hw.state}, CHANERR 0x${hw.chanerr.toString(16)}, DMACOUNT ${hw.dmaCount}`}, not in its just-allocated state`);
    c.needsStart = true;
    c.startAfter = 'reset';
    // RESET forgets the context change: the hardware's DCA target is gone until the next one (F40).
    c.dcaNow = undefined;
    c.needsContextChange = c.dca;
    c.errorToReport = false;
    c.errorSinceDpc = false;
    c.lastFault = null;
    c.owed = null;
    c.nullOver = null;
    c.isrFloor = null;
    return true;
  }

  // ---- allocation, context changes, power ----

  /**
   * Right after ProviderAllocateDmaChannel succeeded: learn which engine channel the handle drives
   * (NDMA-CHAN-08: no other live allocation drives it) and, for a DCA provider, check the
   * completion-write binding (NDMA-DCA-04) and send the first context change (F40).
   */
  onAllocated(c: DpChannel): void {
    this.learnHw(c);
    if (!c.dca) return;
    this.checkDcaBinding(c, 'NDMA-DCA-04', 'ProviderAllocateDmaChannel returned');
    this.controlStart(c, 'allocate');
  }

  /** NDMA-CHAN-08: the engine channel `c` drives (by its CHANCMP) is not driven by another live allocation. */
  private learnHw(c: DpChannel): void {
    const h = c.hwIndex();
    if (h === undefined) return;
    const other = this.channels.find((o) => o !== c && !o.freed && o.dev === c.dev && o.hwKnown === h);
    this.check('NDMA-CHAN-08', other === undefined, () => `${c.name} drives engine channel ${h}, which ${other!.name} (still allocated) was given before: one hardware channel for two live allocations`);
    c.hwKnown = h;
  }

  /** The engine channel's DCACTRL binds completion writes to the channel's CpuNumber (APIC id = CPU number). */
  private checkDcaBinding(c: DpChannel, rule: RuleId, when: string): void {
    const hw = c.hw();
    if (hw === undefined) return;
    const want = DCACTRL.CMPL_WRITE_ENABLE | apicIdOf(c.rec.params.CpuNumber);
    this.check(rule, hw.dcaCtrl === want, () => `${when} with ${c.name}'s completion writes bound to ${(hw.dcaCtrl & DCACTRL.CMPL_WRITE_ENABLE) === 0 ? 'no CPU (DCACTRL.CMPL_WRITE_ENABLE clear)' : `APIC id ${hw.dcaCtrl & DCACTRL.TARGET_CPU_MASK}`}; a DCA provider binds them to CpuNumber ${c.rec.params.CpuNumber} (DCACTRL 0x${want.toString(16)})`);
  }

  /**
   * Starts `c` on one descriptor of NetDMA's own: a context change (DCA providers: after allocation,
   * after a Reset, after power-up; APIC id of a CPU the chooser picks) or a NULL operation with a
   * status write and an interrupt (others, after power-up: the 1.0 "Start with a NULL operation",
   * F39). Returns the descriptor, or undefined when nothing was started.
   */
  private controlStart(c: DpChannel, why: ControlReason): bigint | undefined {
    const m = this.m;
    if (c.freed || c.prov.state !== 'started' || c.prov.poweredDown || c.dev.powerState !== 'D0' || c.slotsLeft() < 1) return undefined;
    const handler = c.prov.chars.StartDma!;
    const pa = c.takeSlot();
    const cc = c.dca;
    const apicId = cc ? apicIdOf(m.chooser.choose(m.cpus.count, 'dca-target-cpu')) : 0;
    const flags = cc
      ? (NET_DMA_OP_TYPE_CONTEXT_CHANGE | NET_DMA_DCA_CONTEXT_CHANGE | NET_DMA_STATUS_UPDATE_ON_COMPLETION) >>> 0
      : NET_DMA_NULL_TRANSFER | NET_DMA_STATUS_UPDATE_ON_COMPLETION | NET_DMA_INTERRUPT_ON_COMPLETION;
    const rule: RuleId = why === 'power-up' ? (c.prov.version >= 0x101 ? 'PWR-07' : 'PWR-09') : cc ? 'NDMA-DCA-03' : 'NDMA-DP-05';
    const bytes = new Uint8Array(NET_DMA_DESCRIPTOR_SIZE);
    encodeDescriptorInto(bytes, 0, {
      TransferSize: apicId, // DCAContext8 for a context change; 0 for the NULL operation
      ControlFlags: flags,
      SourceAddress: c.src.base,
      DestinationAddress: c.dst.base,
      NextDescriptor: c.counted ? c.nextSlot() : 0n,
      UserContext1: USER_CONTEXT,
      UserContext2: pa,
    });
    c.cpuWrite(pa, bytes);
    c.submitted.set(pa, {
      pa,
      spec: { kind: 'null', length: 0, srcSkew: 0, dstSkew: 0, status: true, interrupt: true, serialize: false, dca: false, pageBreak: 'none' },
      flags,
      src: [],
      dst: [],
      srcRegions: [],
      dstRegions: [],
      srcBefore: [],
      dstBefore: [],
      control: cc ? { kind: 'context-change', apicId } : { kind: 'null-start' },
      controlRule: rule,
    });
    c.order.push(pa);
    c.statusUpdates = true;
    this.stats.descriptors++;
    m.trace.add('client', `NetDMA starts ${c.name} with ${cc ? `a context change to APIC id ${apicId}` : 'a NULL operation'} at ${hex(pa)} (${why})`);
    const intent: DatapathOp = c.counted ? { op: 'start-counted', head: pa, count: 1 } : { op: 'start', head: pa };
    const st = this.call(c, 'ProviderStartDma', () => handler(c.rec.providerChannelContext, m.hal.kernelVaFor(pa), pa, 1), 'ntstatus', [intent]);
    this.checkWholeAddress(c, 'CHAINADDR', pa);
    const startRule: RuleId = why === 'power-up' ? rule : why === 'allocate' || !c.started ? 'NDMA-CHAN-06' : 'NDMA-DP-06';
    this.check(startRule, st === STATUS_SUCCESS, () => `ProviderStartDma on ${c.name} (${cc ? 'a context change' : 'a NULL operation'}, ${why === 'allocate' ? 'right after allocation' : why === 'power-up' ? 'after the device returned to D0' : 'after a Reset'}) failed (0x${st.toString(16)})`);
    c.started = true;
    c.needsStart = false;
    c.needsContextChange = false;
    c.tail = pa;
    return pa;
  }

  /**
   * SET_POWER D3 reached the bus driver and the engine lost its context: every channel of the
   * device is, for the model, reset (the provider re-programs CHANCTRL and CHANCMP, which the model
   * keeps), and NetDMA will restart it after power-up.
   */
  onFunctionReset(dev: SimDevice): void {
    for (const c of this.live()) {
      if (c.dev !== dev) continue;
      c.ops.push({ op: 'reset' });
      c.contextLost = true;
      c.lastFault = null;
      c.dcaNow = undefined;
      c.errorToReport = false;
      c.errorSinceDpc = false;
      c.owed = null;
      c.nullOver = null;
      c.isrFloor = null;
    }
  }

  /** NetDmaPnPEventNotify(PowerUp) (1.1+): NetDMA restarts every allocated channel of the provider (F50, PWR-07). */
  onPowerUp(rec: ProviderRecord): void {
    this.restartAll(this.live().filter((c) => c.prov === rec));
  }

  /**
   * The device is back in D0 (its SET_POWER D0 completed). A 1.0 provider cannot notify PowerUp;
   * NetDMA 1.0 restarts each channel that lost its context with a NULL-operation Start (F39, F51,
   * PWR-09). 1.1+ providers were restarted on their PowerUp notification.
   */
  onDevicePoweredUp(dev: SimDevice): void {
    this.restartAll(this.live().filter((c) => c.dev === dev && c.prov.version < 0x101 && c.contextLost));
  }

  /** Restarts `list` on control descriptors, runs everything, and checks that each restart worked. */
  private restartAll(list: readonly DpChannel[]): void {
    const started: Array<readonly [DpChannel, bigint, number]> = [];
    for (const c of list) {
      const raised = c.interrupts;
      const pa = this.controlStart(c, 'power-up');
      if (pa !== undefined) started.push([c, pa, raised]);
    }
    if (started.length === 0) return;
    this.runAll();
    for (const [c, pa, raisedBefore] of started) {
      c.contextLost = false;
      const rule: RuleId = c.prov.version >= 0x101 ? 'PWR-07' : 'PWR-09';
      const re = c.prov.version >= 0x101 ? 'once it sent PowerUp' : 'after the device returned to D0';
      const hw = c.hw();
      this.check(rule, hw !== undefined, () => `${c.name}: no engine channel has its completion address (CHANCMP) ${re}: the provider did not re-initialize the engine after the power loss`);
      const idx = c.completedIdx.get(pa);
      const word = c.words.at(-1);
      this.check(rule, idx !== undefined && word !== undefined && (word & ~0x3fn) === pa, () => `${c.name}: the restart descriptor ${hex(pa)} ${re} ${c.errors.has(pa) ? 'halted the channel' : idx === undefined ? 'never completed' : 'wrote no completion status'} (engine channel ${hw === undefined ? '?' : `${hw.state}, CHANERR 0x${hw.chanerr.toString(16)}, CHANCTRL 0x${hw.chanctrl.toString(16)}`}): the hardware context lost in D3 was not restored`);
      // The engine raised the restart's interrupt: it was re-enabled, and the ISR and DPC did not report it (NDMA-INT-05, not a power bug).
      const raised = c.interrupts > raisedBefore;
      if (!c.lostInterrupt) {
        this.check(raised ? 'NDMA-INT-05' : rule, c.owed === null, () => raised
          ? `the restart descriptor ${hex(pa)} of ${c.name} asked for an interrupt ${re}, the engine raised it, and no NetDmaInterruptDpc reported it (or a later descriptor)`
          : `${c.name}: the restart descriptor ${hex(pa)} asked for an interrupt ${re}, and no NetDmaInterruptDpc reported it: interrupts were not re-enabled (INTRCTRL, CHANCTRL)`);
      }
      this.learnHw(c);
      if (c.dca) this.checkDcaBinding(c, 'NDMA-DCA-04', `after power-up ${c.prov.version >= 0x101 ? 'PowerUp was notified' : 'the device returned to D0'}`);
    }
  }

  /** Runs engines, ISRs and DPCs until nothing can run, with stalls cleared. */
  private runAll(): void {
    const m = this.m;
    m.engines.drain();
    for (const dev of m.devices) {
      const e = m.engineOf(dev);
      if (e.faults.rules.some((r) => r.kind === 'stall')) e.setFaults(faultPlan(...e.faults.rules.filter((r) => r.kind !== 'stall')));
    }
    m.engines.drain();
  }

  /**
   * Runs everything that can run (engines, ISRs, DPCs) with stalls cleared, then lets the model
   * catch up and checks that every interrupt a completed descriptor asked for was reported (INT-05).
   * `stopping` is the provider whose NetDmaProviderStop is waiting for its outstanding DMA: until
   * that call returns its interrupts must stay connected and enabled (NDMA-INT-07, F11d, F122), so
   * an interrupt owed on one of its channels while the device's interrupts are disconnected or
   * masked (INTRCTRL.MASTER_INT_EN clear) breaks that rule.
   */
  quiesce(stopping: ProviderRecord | null = null): void {
    this.runAll();
    for (const c of this.live()) {
      if (c.dev.powerState !== 'D0') continue;
      c.ops.push({ op: 'step', count: QUIESCE_STEPS });
      if (!c.lostInterrupt && c.prov.state === 'started') {
        const owed = c.owed;
        if (c.prov === stopping) {
          const off = owed === null ? null : this.interruptsOff(c.dev);
          this.check('NDMA-INT-07', off === null, () => `descriptor ${hex(c.completed[owed!]!)} of ${c.name} asked for an interrupt and completed while NetDmaProviderStop waited for outstanding DMA, and no NetDmaInterruptDpc reported it: the device's interrupts were ${off!} before NetDmaProviderStop returned`);
        }
        const hidden = c.nullOver;
        this.check('NDMA-INT-03', owed === null || hidden === null, () => `descriptor ${hex(c.completed[hidden!]!)} of ${c.name} asked for an interrupt and completed; the DPC then called NetDmaInterruptDpc with NULL although the channel had no error, and no later NetDmaInterruptDpc reported it (or a later descriptor) by the time everything ran: a NULL made for a reason other than an error reports nothing and must not take the place of a completion`);
        this.check('NDMA-INT-05', owed === null, () => `descriptor ${hex(c.completed[owed!]!)} of ${c.name} asked for an interrupt and completed, but no NetDmaInterruptDpc reported it (or a later descriptor) by the time everything ran`);
        this.check('NDMA-DP-18', !c.errorToReport, () => `${c.name} halted on an error its ISR saw, and no NetDmaInterruptDpc reported it with NULL by the time everything ran: the error was never reported`);
      }
    }
  }

  /** Why `dev` can deliver no interrupt to its ISR: disconnected, or masked at the engine; null when it can. */
  private interruptsOff(dev: SimDevice): string | null {
    if (dev.interruptConnections === 0) return 'disconnected (IoDisconnectInterruptEx)';
    const intrctrl = Number(this.m.engineOf(dev).mmioRead(GENERAL_REGISTERS.INTRCTRL.offset, 1));
    return (intrctrl & INTRCTRL.MASTER_INT_EN) === 0 ? 'masked (INTRCTRL.MASTER_INT_EN clear)' : null;
  }

  /** Whether the channel still holds descriptors the engine has not finished (after a quiesce). */
  outstanding(c: DpChannel): boolean {
    const hw = c.hw();
    return hw !== undefined && (hw.state === 'halted' && hw.haltCause === 'error');
  }

  /** The checks of a channel's whole life, run when it is freed. */
  verify(c: DpChannel): void {
    const m = this.m;
    const res = runDatapath(c.config, c.initial, c.ops);
    const modelPas = res.processed.map((p) => p.pa);
    // 1. The descriptors processed, in order (copies lost, extra, or out of order).
    const n = Math.max(modelPas.length, c.completed.length);
    for (let i = 0; i < n; i++) {
      const want = modelPas[i];
      const got = c.completed[i];
      if (want === got) continue;
      const rule = this.attribute(c, want !== undefined ? res.processed[i]!.op : c.ops.length, want);
      this.fail(rule, `${c.name}: processed descriptor #${i + 1} is ${got === undefined ? 'missing' : hex(got)}, the NetDMA operations applied predict ${want === undefined ? 'none' : hex(want)} (${this.describe(c, want ?? got!)}); descriptors processed ${c.completed.length}, predicted ${modelPas.length}`);
    }
    // 2. Bytes of every copy the engine processed (dmatest oracle).
    for (const p of res.processed) {
      const s = c.submitted.get(p.pa);
      if (s === undefined || s.spec.kind !== 'copy' || p.outcome !== 'copied' || p.bytes === 0) continue;
      this.checkOneCopy(c, s);
    }
    // 4. What each Suspend reported.
    res.suspendReports.forEach((want, i) => {
      const got = c.suspendReports[i];
      this.check('NDMA-DP-09', !(got !== want), () => `${c.name}: ProviderSuspendDma #${i + 1} reported ${got === undefined ? 'nothing' : hex(got)} as the last processed descriptor; it was ${hex(want)}`);
    });
    // 3. Completion words.
    const words = res.completionWords;
    for (let i = 0; i < Math.max(words.length, c.words.length); i++) {
      const want = words[i];
      const got = c.words[i];
      if (want === got) continue;
      const sameAddr = want !== undefined && got !== undefined && (want & ~0x3fn) === (got & ~0x3fn);
      this.fail(sameAddr ? 'NDMA-DP-04' : 'NDMA-DP-03', `${c.name}: completion word #${i + 1} is ${got === undefined ? 'missing' : hex(got)}, predicted ${want === undefined ? 'none' : hex(want)}`);
    }
    // 5. Interrupts raised.
    this.check('NDMA-INT-05', !(!c.lostInterrupt && res.interrupts !== c.interrupts), () => `${c.name}: the engine raised ${c.interrupts} interrupt(s), the operations applied predict ${res.interrupts}`);
    // 6. All of the channel's memory.
    for (const a of c.allocations()) {
      const model = res.memory.get(a.pa)!;
      const real = m.memory.view(a.pa, a.length);
      const d = diffRanges(model, 0, real, 0, a.length);
      if (d.count === 0) continue;
      const at = a.pa + BigInt(d.first[0]!.offset);
      const rule: RuleId = a.pa === c.ring ? this.ringRule(c, at) : a.pa === c.rec.completionPa ? 'NDMA-DP-03' : a.pa === c.src.base ? 'NDMA-DP-02' : 'NDMA-DP-01';
      this.fail(rule, `${c.name}: ${d.count} byte(s) differ from the model in ${a.pa === c.ring ? 'the descriptor ring' : a.pa === c.rec.completionPa ? 'the completion word' : a.pa === c.src.base ? 'the source buffers' : 'the destination buffers'}, first at ${hex(at)} (0x${d.first[0]!.actual.toString(16)}, expected 0x${d.first[0]!.expected.toString(16)})`);
    }
    // Every comparison above held: count the rules it judged, for coverage.
    const v = m.verifier;
    res.processed.forEach((p, i) => v.exercised(this.attribute(c, p.op, modelPas[i])));
    if (modelPas.length > 0) v.exercised('NDMA-DP-21');
    // NDMA-DP-15: a serialized copy's data and completion status were verified, in the order the
    // model predicts, before the next descriptor's data (the order, bytes and words checks above).
    for (let i = 0; i + 1 < res.processed.length; i++) {
      const s = c.submitted.get(res.processed[i]!.pa);
      if (s !== undefined && (s.flags & NET_DMA_SERIALIZE_TRANSFER) !== 0 && s.spec.kind === 'copy') v.exercised('NDMA-DP-15');
    }
    if (words.length > 0) {
      v.exercised('NDMA-DP-03');
      v.exercised('NDMA-DP-04');
    }
    v.exercised('NDMA-DP-02');
    v.exercised('NDMA-DP-19');
  }

  /**
   * The rule a byte of the descriptor ring that differs from the model breaks: in the ControlFlags of
   * a descriptor NetDMA submitted with flags 0 (and did not edit), NDMA-DP-20 (the provider made a
   * plain copy something else); anywhere else NDMA-DP-19 (NetDMA's descriptors, UserContext1 and
   * UserContext2 above all, are not the provider's or the engine's to write).
   */
  private ringRule(c: DpChannel, at: bigint): RuleId {
    const size = BigInt(NET_DMA_DESCRIPTOR_SIZE);
    const slot = c.ring + ((at - c.ring) / size) * size;
    const field = Number(at - slot) - NET_DMA_DESCRIPTOR_OFFSETS.ControlFlags;
    const s = c.submitted.get(slot);
    return s !== undefined && s.flags === 0 && s.control === undefined && !c.edited.has(slot) && field >= 0 && field < 4 ? 'NDMA-DP-20' : 'NDMA-DP-19';
  }

  private checkOneCopy(c: DpChannel, s: Submitted): void {
    const m = this.m;
    this.stats.verifiedCopies++;
    const rule: RuleId = s.flags & 0xc0 ? 'NDMA-DP-14' : s.spec.dca && c.counted && !c.dca ? 'NDMA-DCA-02' : s.spec.belowMax !== undefined ? 'NDMA-DP-16' : 'NDMA-DP-01';
    if (s.src.length === 1 && s.dst.length === 1) {
      const v = checkCopy({
        sourceBefore: s.srcBefore[0]!,
        sourceAfter: m.memory.read(s.srcRegions[0]!.pa, s.srcRegions[0]!.length),
        destinationBefore: s.dstBefore[0]!,
        destinationAfter: m.memory.read(s.dstRegions[0]!.pa, s.dstRegions[0]!.length),
        sourceOffset: GUARD + Number(s.src[0]!.pa - s.srcRegions[0]!.pa - BigInt(GUARD)),
        destinationOffset: GUARD + Number(s.dst[0]!.pa - s.dstRegions[0]!.pa - BigInt(GUARD)),
        length: s.spec.length,
      });
      if (!v.ok) {
        const f = v.findings[0]!;
        this.fail(f.kind === 'source-overwritten' || f.kind === 'copied-outside-window' ? 'NDMA-DP-02' : rule, `${c.name}: copy of ${s.spec.length} byte(s) by descriptor ${hex(s.pa)}: ${formatVerdict(v).slice(0, 3).join('; ')}`);
      }
      m.verifier.exercised(rule);
      return;
    }
    // Page-break copies: the destination segments, in order, hold the source segments' bytes.
    const source = concat(s.src.map((g, i) => s.srcBefore[i]!.subarray(Number(g.pa - s.srcRegions[i]!.pa), Number(g.pa - s.srcRegions[i]!.pa) + g.length)));
    const dest = concat(s.dst.map((g) => m.memory.read(g.pa, g.length)));
    const d = diffRanges(source, 0, dest, 0, source.length);
    this.check(rule, !(d.count > 0), () => `${c.name}: page-break copy of ${s.spec.length} byte(s) by descriptor ${hex(s.pa)}: ${d.count} destination byte(s) differ from the source, first at offset ${d.first[0]!.offset}`);
    for (const [regions, before, what] of [[s.srcRegions, s.srcBefore, 'source'], [s.dstRegions, s.dstBefore, 'destination']] as const) {
      regions.forEach((r, i) => {
        const after = m.memory.view(r.pa, r.length);
        const segs = what === 'source' ? s.src : s.dst;
        const inner = Number(segs[i]!.pa - r.pa);
        const guard1 = diffRanges(before[i]!, 0, after, 0, inner);
        const guard2 = diffRanges(before[i]!, inner + segs[i]!.length, after, inner + segs[i]!.length, r.length - inner - segs[i]!.length);
        const srcChanged = what === 'source' ? diffRanges(before[i]!, 0, after, 0, r.length).count : 0;
        this.check('NDMA-DP-02', !(guard1.count + guard2.count + srcChanged > 0), () => `${c.name}: page-break copy by ${hex(s.pa)} changed ${what} bytes outside its window (or the source)`);
      });
    }
  }

  /** The rule a divergence in the processed descriptors breaks, from the operation it followed. */
  private attribute(c: DpChannel, opIndex: number, missing: bigint | undefined): RuleId {
    const s = missing !== undefined ? c.submitted.get(missing) : undefined;
    if (s?.controlRule !== undefined) return s.controlRule;
    if (s !== undefined && (s.spec.kind === 'null' || s.spec.kind === 'zero')) return 'NDMA-DP-05';
    for (let i = Math.min(opIndex, c.ops.length - 1); i >= 0; i--) {
      const op = c.ops[i]!.op;
      if (op === 'start') return 'NDMA-DP-06';
      if (op === 'start-counted' || op === 'add-count') return 'NDMA-DP-08';
      if (op === 'append') return 'NDMA-DP-07';
      if (op === 'resume') return 'NDMA-DP-10';
      if (op === 'suspend') return 'NDMA-DP-09';
      if (op === 'abort') return 'NDMA-DP-12';
      if (op === 'reset') return 'NDMA-DP-13';
    }
    return 'NDMA-DP-21';
  }

  private describe(c: DpChannel, pa: bigint): string {
    const s = c.submitted.get(pa);
    if (s === undefined) return 'a descriptor NetDMA never submitted';
    if (s.control !== undefined) return s.control.kind === 'context-change' ? `context change to APIC id ${s.control.apicId}` : 'NULL-operation restart';
    return s.spec.kind === 'copy' ? `copy of ${s.spec.length} B` : s.spec.kind === 'null' ? 'NULL transfer' : 'zero-length transfer';
  }

  /** Frees the client's memory of a channel after its checks. */
  release(c: DpChannel): void {
    c.freed = true;
    for (const a of c.allocations()) if (a.pa !== c.rec.completionPa) this.m.memory.free(a.pa);
  }

  /**
   * NDMA-DP-02: no DMA write anywhere but destination windows, completion words and memory the
   * driver allocated for itself (MmAllocateContiguousMemory: its engine's own self-test writes).
   */
  checkWriteLog(): void {
    const allowed: Segment[] = [];
    for (const c of this.channels) {
      allowed.push({ pa: c.rec.completionPa, length: 8 });
      for (const s of c.submitted.values()) allowed.push(...s.dst);
    }
    const log = this.m.memory.writeLog;
    let bad = log.writesOutside(allowed, 'dma');
    if (bad.length > 0) {
      // Rare path: drop writes into the driver's own contiguous memory while it held it.
      const all = log.ranges();
      const first = log.total - log.length;
      bad = bad.filter((w) => !this.m.hal.wroteOwnContiguous(first + all.indexOf(w), w.pa, w.length));
    }
    this.check('NDMA-DP-02', !(bad.length > 0), () => `the engine wrote ${bad[0]!.length} byte(s) at ${hex(bad[0]!.pa)}, outside every destination window and completion word (${bad.length} such write(s))`);
  }
}

/** When `pa` is the low 32 bits of a descriptor the channel completed: says so (a 64-bit address kept in 32 bits), else ''. */
function truncationNote(c: DpChannel, pa: bigint): string {
  const whole = c.completed.find((d) => d !== pa && (d & 0xffff_ffffn) === (pa & 0xffff_ffffn));
  return whole === undefined ? '' : ` (it is the low 32 bits of completed descriptor ${hex(whole)}: the high dword was lost)`;
}
