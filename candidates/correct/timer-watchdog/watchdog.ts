/**
 * The per-device channel watchdog: a periodic KTIMER whose DPC looks at every allocated channel and
 * recovers one that has shown no sign of life for a long time.
 *
 * Evidence, not time alone, decides: a channel is judged only on what its registers and the
 * driver's own counters show, and only after many quiet ticks. Nothing destructive is ever done on
 * time alone: CHANSTS is only refreshed by descriptors that ask for a completion write, so a healthy
 * channel that finished a chain without one looks exactly like a hung one.
 *  - Halted on an error (CHANERR != 0) that no interrupt ever reported: a lost error interrupt. The
 *    watchdog runs the ISR's own service routine under the interrupt's lock (KeSynchronizeExecution),
 *    so NetDMA hears of it exactly as from the ISR: NetDmaIsr, then NULL from the DPC (F13a).
 *  - CHANERR != 0 but the channel not halted (it should have, CHANCTRL.ANY_ERR_ABORT_EN is set) and
 *    nothing changing: the channel is wedged on an error. It is aborted (CHANCMD ABORT, what
 *    ProviderAbortDma writes) and the error reported the same way, so NetDMA resets or restarts it.
 *  - Work outstanding (Start/Append since the last reset/abort), the channel ACTIVE or ARMED, no
 *    error, and CHANSTS, CDAR, the interrupt count and the command count all unchanged for
 *    STALL_AFTER: the doorbell is rung again, once per quiet spell (1.x: CHANCMD APPEND, which a
 *    running engine simply ignores, F28; 2.0: DMACOUNT rewritten with the same count, which adds
 *    nothing). That recovers a lost doorbell and cannot hurt a slow or finished engine.
 *
 * @module
 */
import {
  CHANCMD,
  CHANSTS_STATE_MASK,
  NetDmaTransferStatusActive,
  NetDmaTransferStatusArmed,
  NetDmaTransferStatusHalted,
  type KDEFERRED_ROUTINE,
  type KernelServices,
} from '../../../src/candidate-api';
import type { Engine } from './engine';
import { chanReg } from '../caps-watchdog-engine/regs';
import { F_DPC_QUEUED, F_ERROR_SEEN, F_FORCE_ERROR, type ChannelContext, type FdoExtension } from './types';

/** Tick period, milliseconds. */
export const PERIOD_MS = 100;
/** A halt-on-error no interrupt reported for this long (100 ns units: 2 s) is a lost interrupt. */
export const LOST_ERROR_AFTER = 20_000_000n;
/** No change at all for this long (10 s, fifty times Linux's 200 ms completion timeout) is a stall worth a doorbell. */
export const STALL_AFTER = 100_000_000n;
/** Ticks that must also have passed, so a jump of the clock alone never convicts a channel. */
const MIN_TICKS_ERROR = 5;
const MIN_TICKS_STALL = 20;

export interface Watchdog {
  /** KeInitializeTimer / KeInitializeDpc, in AddDevice. */
  initialize(fdo: FdoExtension): void;
  /** After NetDmaProviderStart, and back in D0. PASSIVE_LEVEL. */
  arm(fdo: FdoExtension): void;
  /** Before STOP, SURPRISE_REMOVAL, REMOVE and D3; idempotent. When it returns, no tick will act. */
  disarm(fdo: FdoExtension): void;
}

export function createWatchdog(k: KernelServices, engine: Engine): Watchdog {
  const rebase = (ch: ChannelContext, now: bigint) => {
    const w = ch.watch;
    const regs = ch.fdo.regs;
    w.sts = regs === null ? 0n : k.READ_REGISTER_ULONG64(chanReg(regs, ch.index, 'CHANSTS'));
    w.cdar = regs === null ? 0n : k.READ_REGISTER_ULONG64(chanReg(regs, ch.index, 'CDAR'));
    w.serviced = k.InterlockedCompareExchange(ch.serviced, 0, 0);
    w.commands = k.InterlockedCompareExchange(ch.commands, 0, 0);
    w.since = now;
    w.ticks = 0;
    w.kicked = false;
  };

  /** Runs the ISR's service routine for `ch` at its interrupt's DIRQL, holding its interrupt lock. */
  const serviceAsIsr = (ch: ChannelContext): boolean => {
    const interrupt = engine.interruptOf(ch);
    if (interrupt === null) return false;
    k.KeSynchronizeExecution(interrupt, engine.serviceSync, ch);
    return true;
  };

  /** One channel; called with fdo.lock and ch.cmdLock held, at DISPATCH_LEVEL. */
  const check = (ch: ChannelContext, now: bigint) => {
    const regs = ch.fdo.regs!;
    const w = ch.watch;
    const sts = k.READ_REGISTER_ULONG64(chanReg(regs, ch.index, 'CHANSTS'));
    const cdar = k.READ_REGISTER_ULONG64(chanReg(regs, ch.index, 'CDAR'));
    const serviced = k.InterlockedCompareExchange(ch.serviced, 0, 0);
    const commands = k.InterlockedCompareExchange(ch.commands, 0, 0);
    const flags = k.InterlockedCompareExchange(ch.flags, 0, 0);
    if (sts !== w.sts || cdar !== w.cdar || serviced !== w.serviced || commands !== w.commands || (flags & F_DPC_QUEUED) !== 0) {
      rebase(ch, now); // progress, or an interrupt whose DPC has not run yet: nothing to judge
      return;
    }
    w.ticks++;
    const quiet = now - w.since;
    const state = Number(sts & CHANSTS_STATE_MASK);
    if (state === NetDmaTransferStatusHalted) {
      if ((flags & F_ERROR_SEEN) !== 0) return; // reported; NetDMA resets the channel when it chooses
      if (k.READ_REGISTER_ULONG(chanReg(regs, ch.index, 'CHANERR')) === 0) return; // halted by Abort/Reset
      if (quiet < LOST_ERROR_AFTER || w.ticks < MIN_TICKS_ERROR) return;
      serviceAsIsr(ch); // a lost error interrupt
      rebase(ch, now);
      return;
    }
    if (!ch.busy || ch.suspended || (state !== NetDmaTransferStatusActive && state !== NetDmaTransferStatusArmed)) return;
    if ((flags & F_ERROR_SEEN) === 0 && k.READ_REGISTER_ULONG(chanReg(regs, ch.index, 'CHANERR')) !== 0) {
      // Wedged on an error it did not halt for: abort, then report the error to NetDMA.
      if (quiet < LOST_ERROR_AFTER || w.ticks < MIN_TICKS_ERROR) return;
      k.WRITE_REGISTER_UCHAR(chanReg(regs, ch.index, 'CHANCMD'), CHANCMD.ABORT);
      ch.busy = false;
      k.InterlockedOr(ch.flags, F_FORCE_ERROR);
      if (!serviceAsIsr(ch)) k.InterlockedAnd(ch.flags, ~F_FORCE_ERROR);
      rebase(ch, now);
      return;
    }
    if (w.kicked || quiet < STALL_AFTER || w.ticks < MIN_TICKS_STALL) return;
    // A quiet spell with work outstanding: ring the doorbell again (harmless to a running engine).
    if (ch.fdo.version >= 0x200) k.WRITE_REGISTER_USHORT(chanReg(regs, ch.index, 'DMACOUNT'), ch.dmaCount);
    else k.WRITE_REGISTER_UCHAR(chanReg(regs, ch.index, 'CHANCMD'), CHANCMD.APPEND);
    rebase(ch, now);
    w.kicked = true;
  };

  const tick: KDEFERRED_ROUTINE = (_dpc, context) => {
    const fdo = context as FdoExtension;
    k.KeAcquireSpinLockAtDpcLevel(fdo.lock);
    if (fdo.watchdogArmed && fdo.regs !== null) {
      const now = k.KeQueryInterruptTime();
      for (const ch of fdo.channels) {
        if (ch === null) continue;
        k.KeAcquireSpinLockAtDpcLevel(ch.cmdLock);
        check(ch, now);
        k.KeReleaseSpinLockFromDpcLevel(ch.cmdLock);
      }
    }
    k.KeReleaseSpinLockFromDpcLevel(fdo.lock);
  };

  return {
    initialize: (fdo) => {
      k.KeInitializeTimer(fdo.timer);
      k.KeInitializeDpc(fdo.timerDpc, tick, fdo);
    },
    arm: (fdo) => {
      const old = k.KeAcquireSpinLock(fdo.lock);
      if (fdo.watchdogArmed || fdo.regs === null) {
        k.KeReleaseSpinLock(fdo.lock, old);
        return;
      }
      const now = k.KeQueryInterruptTime();
      for (const ch of fdo.channels) if (ch) rebase(ch, now);
      fdo.watchdogArmed = true;
      k.KeReleaseSpinLock(fdo.lock, old);
      k.KeSetTimerEx(fdo.timer, -BigInt(PERIOD_MS) * 10_000n, PERIOD_MS, fdo.timerDpc);
    },
    disarm: (fdo) => {
      // After the flag is down under the lock, a tick that already runs has finished its work and
      // any later one returns at once; then the timer and a DPC it queued are taken back.
      const old = k.KeAcquireSpinLock(fdo.lock);
      fdo.watchdogArmed = false;
      k.KeReleaseSpinLock(fdo.lock, old);
      k.KeCancelTimer(fdo.timer);
      k.KeRemoveQueueDpc(fdo.timerDpc);
    },
  };
}
