import type { TraceEvent, TraceEventKind } from '../../trace/trace-event';
import { probe } from './probe';

/**
 * The text of a trace event: the line itself, or a function that forms it. A function is called
 * only when the text is read (recording on, or a probe installed), so a property's search does not
 * pay for lines nobody reads.
 */
export type TraceText = string | (() => string);

/** An event's detail, or a function that builds it (called only when the event is recorded). */
export type TraceDetail = Readonly<Record<string, unknown>> | (() => Readonly<Record<string, unknown>>);

/**
 * `v` as a template literal shows it, formed now. A lazy trace text must not format a value the
 * candidate controls later (or not at all): a symbol throws and an object's `toString` runs
 * candidate code, and a run must behave the same whether or not its timeline is recorded. Strings
 * (the usual case) pass through unchanged.
 */
export function shown(v: unknown): string {
  return typeof v === 'string' ? v : `${v as string}`;
}

/**
 * The run's timeline. Append-only; `seq` numbers events from 0.
 *
 * A property's search runs with `recording` off: events are numbered (the model's ordering checks
 * compare sequence numbers) and still reach the watchdog's probe, but no event objects are kept.
 * A failing case is re-run with recording on to produce its counterexample timeline — the runs are
 * deterministic, so the re-run is the same run.
 */
export class TraceLog {
  readonly #events: TraceEvent[] = [];
  #count = 0;

  /** Processor and IRQL at the time of each event, supplied by the machine. */
  constructor(
    private readonly context: () => { cpu: number; irql: number },
    readonly recording = true,
  ) {}

  /** Appends an event and returns its sequence number. */
  add(kind: TraceEventKind, text: TraceText, detail?: TraceDetail): number {
    const seq = this.#count++;
    const p = probe();
    if (!this.recording && p === null) return seq;
    const line = typeof text === 'string' ? text : text();
    if (this.recording) {
      const { cpu, irql } = this.context();
      const d = typeof detail === 'function' ? detail() : detail;
      this.#events.push(d === undefined ? { seq, kind, text: line, cpu, irql } : { seq, kind, text: line, cpu, irql, detail: d });
    }
    p?.event(`${seq} ${kind} ${line}`);
    return seq;
  }

  /** Number of events so far (the next `seq`). */
  get length(): number {
    return this.#count;
  }

  /** A copy of the recorded events from `from` on. */
  events(from = 0): TraceEvent[] {
    return this.#events.filter((e) => e.seq >= from);
  }
}
