/**
 * The simulated clock: interrupt time in 100-nanosecond units since boot. It never reads the wall
 * clock and moves only when the simulation lets time pass — a busy wait (KeStallExecutionProcessor),
 * a wait that reaches its timeout or the next timer while the system is otherwise idle, the gap
 * between two PnP/power IRPs — so a run is deterministic and replays from its seed.
 *
 * @module
 */

/** System time at boot (100 ns since 1601-01-01 UTC): 2026-01-01T00:00:00Z, fixed. */
export const BOOT_SYSTEM_TIME = 134_116_128_000_000_000n;

/** 100-ns units per microsecond. */
export const TICKS_PER_MICROSECOND = 10n;
/** 100-ns units per millisecond (a timer's Period is in milliseconds). */
export const TICKS_PER_MILLISECOND = 10_000n;

/** Interrupt time of the machine. */
export class Clock {
  #now = 0n;
  /** Microseconds of busy waits not yet folded into {@link now} (a number: a stall allocates nothing). */
  #pendingMicroseconds = 0;

  /** Interrupt time now (KeQueryInterruptTime). */
  get now(): bigint {
    if (this.#pendingMicroseconds !== 0) {
      this.#now += BigInt(this.#pendingMicroseconds) * TICKS_PER_MICROSECOND;
      this.#pendingMicroseconds = 0;
    }
    return this.#now;
  }

  /**
   * Lets `microseconds` (a whole number) pass when no timer is set, so nothing can expire meanwhile:
   * only a count is kept until the time is read.
   */
  addIdleMicroseconds(microseconds: number): void {
    this.#pendingMicroseconds += microseconds;
  }

  /** System time now (KeQuerySystemTime): the boot time plus interrupt time. */
  get systemTime(): bigint {
    return BOOT_SYSTEM_TIME + this.now;
  }

  /** Moves time forward to `t` (never back). Only the timer component calls this, firing timers on the way. */
  moveTo(t: bigint): void {
    if (t > this.now) this.#now = t;
  }

  /** The interrupt time a `LARGE_INTEGER` due time names: negative relative to now, positive an absolute system time. */
  deadline(dueTime: bigint): bigint {
    const now = this.now;
    if (dueTime < 0n) return now - dueTime;
    const t = dueTime - BOOT_SYSTEM_TIME;
    return t > now ? t : now;
  }
}
