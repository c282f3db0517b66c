import type { TraceEvent, TraceEventKind } from '../../trace/trace-event';
import { probe } from './probe';

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
  add(kind: TraceEventKind, text: string, detail?: Readonly<Record<string, unknown>>): number {
    const seq = this.#count++;
    if (this.recording) {
      const { cpu, irql } = this.context();
      this.#events.push(detail === undefined ? { seq, kind, text, cpu, irql } : { seq, kind, text, cpu, irql, detail });
    }
    probe()?.event(`${seq} ${kind} ${text}`);
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
