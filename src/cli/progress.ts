/**
 * Progress of a running check on the console. The arithmetic and the text are pure functions of
 * a progress snapshot and an elapsed time; {@link ProgressDisplay} decides when to draw, with an
 * injected clock, so none of it depends on wall-clock time in tests.
 *
 * - On a terminal (`tty`): one line, redrawn in place (`\r` + erase to end of line) at most every
 *   {@link TTY_REDRAW_MS}, and erased before anything else is printed.
 * - Without one (`plain`, e.g. CI logs): a line when the run starts, then one line at most every
 *   {@link PLAIN_INTERVAL_MS} while it goes on — a log that shows the run is alive without
 *   flooding it.
 * - `off` (`--quiet`): nothing.
 *
 * @module
 */

/** Counts of a running check. */
export interface ProgressSnapshot {
  /** Work units finished (a unit is a chunk of runs of one property on one interface version). */
  readonly unitsDone: number;
  readonly unitsTotal: number;
  /** Generated runs made so far (a failure ends its unit early, so this may end below the total). */
  readonly runsDone: number;
  /** Runs asked for. */
  readonly runsTotal: number;
  /**
   * Planned runs accounted for: every planned run of a finished unit (even one a failure ended
   * early) plus the runs made in the unit in progress. Its share of `runsTotal` is the fraction done.
   */
  readonly workDone: number;
}

/** How progress is shown. */
export type ProgressMode = 'tty' | 'plain' | 'off';

/** A plain (non-TTY) progress line is printed at most this often. */
export const PLAIN_INTERVAL_MS = 5_000;
/** A TTY progress line is redrawn at most this often (sooner when a unit finishes). */
export const TTY_REDRAW_MS = 100;

/** `950 ms`, `3.2 s`, `42 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 1_000) return `${Math.round(t)} ms`;
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)} s`;
  const s = Math.round(t / 1_000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** `6,000` (thousands separated, independent of the locale). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A point of a run: time since it started and work done then. */
export interface ProgressMark {
  readonly elapsedMs: number;
  readonly workDone: number;
}

/**
 * Time left, extrapolated from the rate of work: since `since` (the first mark with work done, so
 * the start-up before the first run — loading the candidate — does not count as slow work), or
 * since the start without one. `undefined` until some work is done (no estimate is better than a
 * wild one). 0 once everything is done.
 */
export function estimateRemainingMs(p: Pick<ProgressSnapshot, 'workDone' | 'runsTotal'>, elapsedMs: number, since?: ProgressMark): number | undefined {
  if (p.runsTotal <= 0 || p.workDone <= 0) return undefined;
  const done = Math.min(p.workDone, p.runsTotal);
  if (since !== undefined && done > since.workDone && elapsedMs > since.elapsedMs) {
    return ((elapsedMs - since.elapsedMs) * (p.runsTotal - done)) / (done - since.workDone);
  }
  return (Math.max(0, elapsedMs) * (p.runsTotal - done)) / done;
}

/**
 * The progress text: `12/24 units, 3,000/6,000 runs, 4.1 s elapsed` in a log; on a terminal, where
 * the line must fit, `12/24 units, 3,000/6,000 runs, 4.1 s, ETA 4.0 s`.
 */
export function progressText(p: ProgressSnapshot, elapsedMs: number, mode: 'tty' | 'plain', since?: ProgressMark): string {
  const counts = `${p.unitsDone}/${p.unitsTotal} units, ${formatCount(p.runsDone)}/${formatCount(p.runsTotal)} runs, ${formatDuration(elapsedMs)}`;
  if (mode === 'plain') return `${counts} elapsed`;
  const eta = estimateRemainingMs(p, elapsedMs, since);
  return `${counts}, ETA ${eta === undefined ? '…' : formatDuration(eta)}`;
}

/**
 * `checking <label>: <text>` cut to fewer than `columns` characters: the label is shortened first
 * (with `…`), so the counts and the ETA stay visible; only when they alone do not fit is the end cut.
 */
export function fitLine(label: string, text: string, columns: number): string {
  const full = `checking ${label}: ${text}`;
  if (full.length < columns) return full;
  const room = columns - 1 - `checking : ${text}`.length;
  if (room >= 4) return `checking ${label.slice(0, room - 1)}…: ${text}`;
  const bare = `${label.slice(0, 8)}: ${text}`;
  return bare.length < columns ? bare : `${bare.slice(0, Math.max(1, columns - 2))}…`;
}

/** Where a {@link ProgressDisplay} writes. */
export interface ProgressSink {
  /** Writes text as it is, no newline (TTY redraws). */
  write(text: string): void;
  /** Writes one line (plain mode). */
  line(text: string): void;
}

/** Carriage return and erase to end of line. */
const ERASE = '\r\u001b[K';

/** Draws progress in one {@link ProgressMode}; the clock is injected. */
export class ProgressDisplay {
  readonly #sink: ProgressSink;
  readonly #mode: ProgressMode;
  readonly #now: () => number;
  readonly #label: string;
  readonly #columns: number;
  #started = 0;
  #last: number | undefined;
  #lastUnits = -1;
  #drawn = false;
  #since: ProgressMark | undefined;

  /**
   * @param label what is being checked (printed first on the line)
   * @param columns terminal width: a TTY line is cut to fit, so a redraw never wraps
   */
  constructor(sink: ProgressSink, mode: ProgressMode, now: () => number, label: string, columns = 80) {
    this.#sink = sink;
    this.#mode = mode;
    this.#now = now;
    this.#label = label;
    this.#columns = Math.max(20, columns);
  }

  /** The run starts: a plain display says what it will do, a TTY one draws its first line. */
  start(p: ProgressSnapshot): void {
    this.#started = this.#now();
    if (this.#mode === 'plain') {
      this.#sink.line(`checking ${this.#label}: ${p.unitsTotal} work units, ${formatCount(p.runsTotal)} runs`);
      this.#last = this.#started;
    } else if (this.#mode === 'tty') this.#draw(p, this.#started);
  }

  /** New counts; draws when its mode says it is time. */
  update(p: ProgressSnapshot): void {
    if (this.#mode === 'off') return;
    const now = this.#now();
    if (this.#since === undefined && p.workDone > 0) this.#since = { elapsedMs: now - this.#started, workDone: p.workDone };
    const unitFinished = p.unitsDone !== this.#lastUnits;
    if (this.#mode === 'plain') {
      if (this.#last !== undefined && now - this.#last < PLAIN_INTERVAL_MS) return;
      this.#last = now;
      this.#sink.line(`progress: ${progressText(p, now - this.#started, 'plain')}`);
      return;
    }
    if (!unitFinished && this.#last !== undefined && now - this.#last < TTY_REDRAW_MS) return;
    this.#draw(p, now);
  }

  /** Erases the TTY line (before failures and the verdict are printed). */
  clear(): void {
    if (this.#mode === 'tty' && this.#drawn) this.#sink.write(ERASE);
    this.#drawn = false;
  }

  #draw(p: ProgressSnapshot, now: number): void {
    this.#last = now;
    this.#lastUnits = p.unitsDone;
    this.#sink.write(`${ERASE}${fitLine(this.#label, progressText(p, now - this.#started, 'tty', this.#since), this.#columns)}`);
    this.#drawn = true;
  }
}
