import type { TraceEvent, TraceEventKind } from '../../trace/trace-event';
import { probe } from './probe';

/** The run's timeline. Append-only; `seq` numbers events from 0. */
export class TraceLog {
  readonly #events: TraceEvent[] = [];
  /** Processor and IRQL at the time of each event, supplied by the machine. */
  constructor(private readonly context: () => { cpu: number; irql: number }) {}

  /** Appends an event and returns its sequence number. */
  add(kind: TraceEventKind, text: string, detail?: Readonly<Record<string, unknown>>): number {
    const seq = this.#events.length;
    const { cpu, irql } = this.context();
    const event: TraceEvent = detail === undefined ? { seq, kind, text, cpu, irql } : { seq, kind, text, cpu, irql, detail };
    this.#events.push(event);
    probe()?.event(`${seq} ${kind} ${text}`);
    return seq;
  }

  /** Number of events so far (the next `seq`). */
  get length(): number {
    return this.#events.length;
  }

  /** A copy of the events from `from` on. */
  events(from = 0): TraceEvent[] {
    return this.#events.slice(from);
  }
}
