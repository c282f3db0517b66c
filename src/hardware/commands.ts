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
 * @module
 */
import { assertNever } from '../util/assert-never';
import { isStopped, resetChannelRegs } from './channel';
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

/** Executes a CHANCMD write on `ch`. Commands are ignored while a hung RESET is pending. */
export function executeCommand(ctx: EngineContext, ch: ChannelRegs, cmd: ChanCmd): void {
  if (ch.resetPending || cmd.kind === 'none') return;
  const accepted = commandAccepted(cmd, ch.state);
  if (!accepted) {
    ch.chanerr = (ch.chanerr | CHANERR.CHANCMD) >>> 0;
  } else {
    applyCommand(ctx, ch, cmd);
  }
  ctx.notify({
    kind: 'command',
    ch: ch.index,
    command: cmd.kind,
    accepted,
    state: ch.state.kind,
    text: `ch${ch.index} CHANCMD ${cmd.kind.toUpperCase()}${accepted ? '' : ' illegal in this state: CHANERR 0x20'} -> ${ch.state.kind}${ch.resetPending ? ' (reset pending)' : ''}`,
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
      return;
    case 'append':
      if (ch.mode === 'linked' && ch.state.kind === 'idle') {
        ch.state = { kind: 'active' };
        if (ch.runLast !== undefined) ch.cursor = { kind: 'reread', after: ch.runLast };
      }
      return;
    case 'suspend':
      ch.state = { kind: 'suspended' };
      if (ch.runLast !== undefined && ch.runLastWantedStatus) commandCompletion(ctx, ch, ch.runLast, NetDmaTransferStatusSuspend, 'suspend');
      return;
    case 'resume':
      if (ch.runLast !== undefined) ch.cursor = { kind: 'reread', after: ch.runLast };
      ch.state = ch.mode === 'counted' && ch.completedCount === ch.dmaCount ? { kind: 'idle' } : { kind: 'active' };
      return;
    case 'abort': {
      const running = ch.state.kind === 'active' || ch.state.kind === 'idle' || ch.state.kind === 'suspended';
      if (!running) return;
      ch.state = { kind: 'halted', cause: 'abort' };
      ch.cursor = { kind: 'none' };
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

/** Completes a RESET held back by a `reset-hang` fault. */
export function completePendingReset(ch: ChannelRegs): void {
  if (!ch.resetPending) return;
  resetChannelRegs(ch);
}

/** DMACOUNT write (u16): counted start, more work for a counted chain, or just the new value. */
export function writeDmaCount(ctx: EngineContext, ch: ChannelRegs, value: number): void {
  const previous = ch.dmaCount;
  ch.dmaCount = value & 0xffff;
  if (ch.resetPending || ch.dmaCount === previous) return;
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
    return;
  }
  if (ch.mode === 'counted' && ch.state.kind === 'idle' && ch.dmaCount !== ch.completedCount) {
    ch.state = { kind: 'active' };
    if (ch.runLast !== undefined) ch.cursor = { kind: 'reread', after: ch.runLast };
  }
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
