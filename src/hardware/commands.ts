/**
 * Effects of channel register writes: CHANCMD commands, DMACOUNT, CHAINADDR, CHANCTRL.
 * They only change registers and sequencing state (plus the SUSPEND/ABORT completion word);
 * all data movement happens in `step` (dma.ts).
 *
 * **Chain modes** (latched when a chain starts):
 * - *linked* (NetDMA 1.x): CHANCMD START, accepted when the channel is stopped (armed, idle,
 *   or halted by ABORT), starts at CHAINADDR and runs until a descriptor with
 *   NextDescriptor 0 completes; the channel then sits idle on that tail. APPEND on an idle
 *   linked channel makes it active again, and the next step re-reads the tail's
 *   NextDescriptor (0 → idle again); APPEND on an active or suspended channel does nothing
 *   (the engine sees the patched tail when it gets there, or on RESUME).
 * - *counted* (NetDMA 2.0): **a write to CHAINADDR (either half) while the channel is
 *   stopped arms a counted start; the next DMACOUNT write that changes DMACOUNT starts a
 *   counted chain at CHAINADDR**, with the engine's completed count set to the DMACOUNT value
 *   before that write (so "DMACOUNT += n" hands over n descriptors, whatever the running
 *   count was). The engine runs until its completed count equals DMACOUNT; DMACOUNT writes
 *   while it runs add work, and a DMACOUNT write on an idle counted channel with no new
 *   CHAINADDR continues from the last descriptor's (re-read) NextDescriptor. DMACOUNT writes
 *   have no other effect (in particular none in linked mode). APPEND in counted mode does
 *   nothing. START always starts a linked chain.
 *
 * **Commands** (one bit per write; a write of 0 is ignored; several bits or bits 7:6 are
 * illegal). Accepted states — any other state makes the command illegal: CHANERR 0x20 is
 * set and nothing else changes.
 * - START: armed, idle, halted by ABORT. State active.
 * - APPEND: active, idle, suspended.
 * - SUSPEND: active, idle. Takes effect at once (steps are atomic, so no descriptor is half
 *   done): state suspended, CHANSTS keeps the last completed descriptor. If the last
 *   descriptor completed since the start asked for a status write, `PA | Suspend(2)` is
 *   written to CHANCMP.
 * - RESUME: suspended. Re-reads the last completed descriptor's NextDescriptor at the next
 *   step (picks up list edits; if nothing completed since the start, continues at the
 *   chain head). Linked: state active. Counted: active if completed ≠ DMACOUNT, else idle.
 * - ABORT: any state; on an active, idle or suspended channel it halts it (cause abort)
 *   without processing another descriptor, and with CHANCTRL.ERR_COMPLETION_EN writes the
 *   HALTED word `CHANSTS address | 3` (the last completed descriptor). On other states it
 *   does nothing. A new START (or counted start) is then accepted.
 * - RESET: any state; the channel returns to the just-allocated state (see
 *   `resetChannelRegs`: state armed, CHANSTS 4, counts and pointers 0, CHANERR 0). No
 *   completion word is written and no previously submitted descriptor is touched again.
 *   A provider that must report Halted status on reset issues ABORT first.
 *
 * If a SUSPEND/ABORT completion write finds CHANCMP unusable, the channel halts with
 * CHANERR 0x1000 instead.
 *
 * **Command timing** (issue 13; Linux `ioat_reset_sync`/`ioat_reset_pending` in
 * drivers/dma/ioat/dma.c poll CHANCMD until the RESET bit self-clears, FreeBSD `ioat_reset_hw`
 * polls the same bit and then waits for CHANSTS to leave ACTIVE). An engine has two delays,
 * both in simulated interrupt time (100-ns units; KeStallExecutionProcessor advances it) and
 * both 0 by default (every command acts at its write, as above):
 * - `resetDelay`: an accepted RESET is *latched*: from the write until the delay has passed
 *   CHANCMD reads 0x20, the channel processes nothing, and **every write to the channel's
 *   register block is dropped** (CHANCTRL, CHANCMP, DCACTRL, CHAINADDR, DMACOUNT, CHANERR and
 *   further commands: the suite's reading of what silicon does while the channel's logic is held
 *   in reset; the data sheets do not say). Then the channel is reset as above. A driver that
 *   re-programs the channel at once loses its writes; one that polls CHANCMD (stalling between
 *   reads) sees the bit clear and programs a reset channel.
 * - `stopDelay`: an accepted SUSPEND or ABORT is latched likewise, but the channel goes on
 *   processing descriptors until the delay has passed (the descriptor in flight completes:
 *   CHANSTS stays ACTIVE); then the command acts as above. A driver that polls CHANSTS until
 *   SUSPENDED/HALTED sees it.
 * A latched command takes effect at the first register access, engine step or scheduling check
 * of the channel at or after its due time; a new CHANCMD write while a SUSPEND/ABORT is latched
 * first lets the latched command take effect (the engine takes one command at a time).
 *
 * @module
 */
import { assertNever } from '../util/assert-never';
import { isStopped, resetChannelRegs } from './channel';
import { flushPrefetch, prefetchAhead } from './dma';
import type { ChannelRegs } from './channel';
import type { EngineContext } from './context';
import { NetDmaTransferStatusHalted, NetDmaTransferStatusSuspend } from './hw';
import type { NetDmaTransferStatus } from './hw';
import { hex } from './memory';
import { CHANCTRL, CHANCTRL_WRITABLE_MASK, CHANERR } from './registers';
import type { ChanCmd, ChannelState } from './registers';
import { completionAddressValid, haltOnError, writeCompletion } from './status';
import { resetHangs } from './faults';

/** Whether `cmd` is accepted in `state` (plain switches: this runs on every CHANCMD write). */
export function commandAccepted(cmd: ChanCmd, state: ChannelState): boolean {
  switch (cmd.kind) {
    case 'none':
    case 'abort':
    case 'reset':
      return true;
    case 'illegal':
      return false;
    case 'start':
      switch (state.kind) {
        case 'armed':
        case 'idle':
          return true;
        case 'halted':
          return state.cause === 'abort';
        case 'active':
        case 'suspended':
          return false;
        default:
          return assertNever(state);
      }
    case 'append':
      switch (state.kind) {
        case 'active':
        case 'idle':
        case 'suspended':
          return true;
        case 'armed':
        case 'halted':
          return false;
        default:
          return assertNever(state);
      }
    case 'suspend':
      switch (state.kind) {
        case 'active':
        case 'idle':
          return true;
        case 'armed':
        case 'suspended':
        case 'halted':
          return false;
        default:
          return assertNever(state);
      }
    case 'resume':
      switch (state.kind) {
        case 'suspended':
          return true;
        case 'armed':
        case 'active':
        case 'idle':
        case 'halted':
          return false;
        default:
          return assertNever(state);
      }
    default:
      return assertNever(cmd);
  }
}

/** Executes a CHANCMD write on `ch`. Commands are ignored while a RESET is in progress. */
export function executeCommand(ctx: EngineContext, ch: ChannelRegs, cmd: ChanCmd): void {
  if (ch.resetPending || cmd.kind === 'none') return;
  if (ch.latched !== 'none') completeLatched(ctx, ch);
  const accepted = commandAccepted(cmd, ch.state);
  let latched = false;
  if (!accepted) {
    ch.chanerr = (ch.chanerr | CHANERR.CHANCMD) >>> 0;
  } else {
    latched = latch(ctx, ch, cmd);
    if (!latched) applyCommand(ctx, ch, cmd);
  }
  ctx.notify({
    kind: 'command',
    ch: ch.index,
    command: cmd.kind,
    accepted,
    state: ch.state.kind,
    text: `ch${ch.index} CHANCMD ${cmd.kind.toUpperCase()}${accepted ? '' : ' illegal in this state: CHANERR 0x20'} -> ${ch.state.kind}${latched ? ` (latched: takes effect at t=${ch.latchedDue})` : ch.resetPending ? ' (reset pending)' : ''}`,
  });
}

/** Latches an accepted RESET, SUSPEND or ABORT when the engine's delay for it is not 0. */
function latch(ctx: EngineContext, ch: ChannelRegs, cmd: ChanCmd): boolean {
  let delay = 0n;
  let kind: 'suspend' | 'abort' | 'reset';
  switch (cmd.kind) {
    case 'reset':
      delay = ctx.resetDelay;
      kind = 'reset';
      break;
    case 'suspend':
      delay = ctx.stopDelay;
      kind = 'suspend';
      break;
    case 'abort':
      delay = ctx.stopDelay;
      kind = 'abort';
      break;
    case 'none':
    case 'illegal':
    case 'start':
    case 'append':
    case 'resume':
      return false;
    default:
      return assertNever(cmd);
  }
  if (delay <= 0n) return false;
  ch.latched = kind;
  ch.latchedDue = ctx.now() + delay;
  // A channel in reset processes nothing and takes no write (see the module comment).
  if (kind === 'reset') ch.resetPending = true;
  return true;
}

/**
 * Lets the command latched on `ch` take effect when its due time has come (`force`: now,
 * whatever the time). Called before every register access, step and scheduling check of the
 * channel; does nothing (and reads no clock) when nothing is latched.
 */
export function settleLatched(ctx: EngineContext, ch: ChannelRegs): void {
  if (ch.latched === 'none' || ctx.now() < ch.latchedDue) return;
  completeLatched(ctx, ch);
}

/** The latched command takes effect now. */
function completeLatched(ctx: EngineContext, ch: ChannelRegs): void {
  const kind = ch.latched;
  ch.latched = 'none';
  switch (kind) {
    case 'none':
      return;
    case 'reset':
      ch.resetPending = false;
      if (resetHangs(ctx.faults(), ch.index)) ch.resetPending = true;
      else resetChannelRegs(ch);
      break;
    case 'suspend':
      // The state may have changed meanwhile (an error halt): SUSPEND acts only on a running channel.
      if (ch.state.kind === 'active' || ch.state.kind === 'idle') applyCommand(ctx, ch, { kind: 'suspend' });
      break;
    case 'abort':
      applyCommand(ctx, ch, { kind: 'abort' });
      break;
    default:
      return assertNever(kind);
  }
  ctx.notify({
    kind: 'command-effect',
    ch: ch.index,
    command: kind,
    state: ch.state.kind,
    text: `ch${ch.index} latched ${kind.toUpperCase()} takes effect -> ${ch.resetPending ? 'reset pending' : ch.state.kind}`,
  });
}

/** The effect of an accepted command (`none` never gets here). */
function applyCommand(ctx: EngineContext, ch: ChannelRegs, cmd: ChanCmd): void {
  switch (cmd.kind) {
    case 'start':
      ch.mode = 'linked';
      ch.cursor = { kind: 'fetch', pa: ch.chainAddr };
      ch.runLast = undefined;
      ch.runLastWantedStatus = false;
      ch.chainAddrPending = false;
      ch.state = { kind: 'active' };
      flushPrefetch(ch);
      prefetchAhead(ctx, ch);
      return;
    case 'append':
      // F28: the engine re-reads the NextDescriptor of the descriptor it is on (prefetched or
      // stopped on), so a tail read as "end of chain" before NetDMA linked more is followed.
      if (ch.mode === 'linked') flushPrefetch(ch);
      if (ch.mode === 'linked' && ch.state.kind === 'idle') {
        ch.state = { kind: 'active' };
        if (ch.runLast !== undefined) ch.cursor = { kind: 'reread', after: ch.runLast };
      }
      if (ch.mode === 'linked') prefetchAhead(ctx, ch);
      return;
    case 'suspend':
      ch.state = { kind: 'suspended' };
      if (ch.runLast !== undefined && ch.runLastWantedStatus) commandCompletion(ctx, ch, ch.runLast, NetDmaTransferStatusSuspend, 'suspend');
      return;
    case 'resume':
      flushPrefetch(ch);
      if (ch.runLast !== undefined) ch.cursor = { kind: 'reread', after: ch.runLast };
      ch.state = ch.mode === 'counted' && ch.completedCount === ch.dmaCount ? { kind: 'idle' } : { kind: 'active' };
      return;
    case 'abort': {
      const running = ch.state.kind === 'active' || ch.state.kind === 'idle' || ch.state.kind === 'suspended';
      if (!running) return;
      ch.state = { kind: 'halted', cause: 'abort' };
      ch.cursor = { kind: 'none' };
      flushPrefetch(ch);
      if ((ch.chanctrl & CHANCTRL.ERR_COMPLETION_EN) !== 0) commandCompletion(ctx, ch, ch.statusAddress, NetDmaTransferStatusHalted, 'abort');
      return;
    }
    case 'reset':
      if (resetHangs(ctx.faults(), ch.index)) ch.resetPending = true;
      else resetChannelRegs(ch);
      return;
    case 'none':
    case 'illegal':
      return;
    default:
      return assertNever(cmd);
  }
}

function commandCompletion(
  ctx: EngineContext,
  ch: ChannelRegs,
  descriptorPa: bigint,
  status: NetDmaTransferStatus,
  reason: 'suspend' | 'abort',
): void {
  if (!completionAddressValid(ctx, ch)) {
    const { interrupt } = haltOnError(ctx, ch, descriptorPa, CHANERR.COMPLETION_ADDR);
    ctx.notify({
      kind: 'halt',
      ch: ch.index,
      chanerr: CHANERR.COMPLETION_ADDR,
      descriptorPa,
      interrupt,
      text: `ch${ch.index} ${reason} status write: CHANCMP ${hex(ch.chancmp)} unusable, CHANERR 0x1000, halted`,
    });
    return;
  }
  const write = writeCompletion(ctx, ch, descriptorPa, status);
  ctx.notify({ kind: 'completion-write', ch: ch.index, reason, write, text: `ch${ch.index} ${reason}: CHANCMP@${hex(write.address)} <- ${hex(write.word)}` });
}

/** Completes a RESET held back by a `reset-hang` fault (a RESET still within its delay stays latched). */
export function completePendingReset(ch: ChannelRegs): void {
  if (!ch.resetPending || ch.latched === 'reset') return;
  resetChannelRegs(ch);
}

/** DMACOUNT write (u16): counted start, more work for a counted chain, or just the new value. */
export function writeDmaCount(ctx: EngineContext, ch: ChannelRegs, value: number): void {
  const previous = ch.dmaCount;
  ch.dmaCount = value & 0xffff;
  if (ch.resetPending || ch.dmaCount === previous) return;
  // A new count makes the engine re-read the chain (v2+ DMACOUNT is the doorbell, like APPEND).
  flushPrefetch(ch);
  if (isStopped(ch) && ch.chainAddrPending) {
    ch.mode = 'counted';
    ch.completedCount = previous;
    ch.cursor = { kind: 'fetch', pa: ch.chainAddr };
    ch.runLast = undefined;
    ch.runLastWantedStatus = false;
    ch.chainAddrPending = false;
    ch.state = { kind: 'active' };
    ctx.notify({
      kind: 'counted-start',
      ch: ch.index,
      chainAddr: ch.chainAddr,
      dmaCount: ch.dmaCount,
      completedCount: ch.completedCount,
      text: `ch${ch.index} counted chain at ${hex(ch.chainAddr)}: ${(ch.dmaCount - previous) & 0xffff} descriptor(s) (DMACOUNT ${previous} -> ${ch.dmaCount})`,
    });
    prefetchAhead(ctx, ch);
    return;
  }
  if (ch.mode === 'counted' && ch.state.kind === 'idle' && ch.dmaCount !== ch.completedCount) {
    ch.state = { kind: 'active' };
    if (ch.runLast !== undefined) ch.cursor = { kind: 'reread', after: ch.runLast };
  }
  if (ch.mode === 'counted') prefetchAhead(ctx, ch);
}

/** CHAINADDR write (full or half): new value; arms a counted start when the channel is stopped. */
export function writeChainAddr(ch: ChannelRegs, value: bigint): void {
  ch.chainAddr = value;
  if (!ch.resetPending && isStopped(ch)) ch.chainAddrPending = true;
}

/** CHANCTRL write: stores the writable bits; a pending interrupt fires if now armed. */
export function writeChanctrl(ctx: EngineContext, ch: ChannelRegs, value: number): void {
  ch.chanctrl = value & CHANCTRL_WRITABLE_MASK;
  if (ctx.interrupts.firePending(ch)) {
    ctx.notify({ kind: 'interrupt', ch: ch.index, reason: 'rearm', text: `ch${ch.index} re-armed: pending interrupt raised` });
  }
}
