/**
 * A window into a running simulation for a supervisor outside it (the isolation watchdog): which
 * routine of the candidate is running, the latest trace lines, which generated run is executing.
 * Written synchronously, so it stays readable even when the candidate never returns.
 */
export interface Probe {
  /** The system called a candidate routine. */
  enter(routine: string): void;
  /** That routine returned. */
  leave(): void;
  /** A trace event was recorded. */
  event(line: string): void;
  /** A property started generated run number `index` (its fast-check path, unshrunk). */
  run(index: number): void;
}

let current: Probe | null = null;

/** Installs (or removes) the probe. Only the isolation worker does this. */
export function setProbe(p: Probe | null): void {
  current = p;
}

/** The installed probe, if any. */
export function probe(): Probe | null {
  return current;
}
