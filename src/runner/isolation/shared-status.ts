import type { Probe } from '../../kernel/verifier/probe';

const HEARTBEAT = 0;
const DEPTH = 1;
const RUN = 2;
const HEAD = 3;
const ROUTINE_LEN = 4;
const ROUTINE_AT = 64;
const ROUTINE_MAX = 400;
const RING_AT = 512;
const LINE = 240;
const LINES = 64;

/** Size of the shared buffer between the isolation worker and its watchdog. */
export const SHARED_STATUS_BYTES = RING_AT + LINE * LINES;

/** What the watchdog can read about a worker at any moment, even one stuck in an endless loop. */
export interface StatusSnapshot {
  readonly heartbeat: number;
  /** Nesting depth of candidate routines running now (0: the candidate is not running). */
  readonly depth: number;
  /** The innermost candidate routine entered last. */
  readonly routine: string;
  /** The generated run being executed. */
  readonly run: number;
  /** The last trace lines, oldest first. */
  readonly lastEvents: string[];
}

/** The worker side: a {@link Probe} that writes into the shared buffer synchronously. */
export function statusWriter(sab: SharedArrayBuffer): Probe {
  const i32 = new Int32Array(sab, 0, 16);
  const bytes = new Uint8Array(sab);
  const enc = new TextEncoder();
  const beat = () => Atomics.add(i32, HEARTBEAT, 1);
  return {
    enter(routine) {
      const r = enc.encodeInto(routine, bytes.subarray(ROUTINE_AT, ROUTINE_AT + ROUTINE_MAX));
      Atomics.store(i32, ROUTINE_LEN, r.written);
      Atomics.add(i32, DEPTH, 1);
      beat();
    },
    leave() {
      Atomics.sub(i32, DEPTH, 1);
      beat();
    },
    event(line) {
      const head = Atomics.load(i32, HEAD);
      const at = RING_AT + (head % LINES) * LINE;
      const r = enc.encodeInto(line, bytes.subarray(at + 2, at + LINE));
      bytes[at] = r.written & 0xff;
      bytes[at + 1] = r.written >> 8;
      Atomics.store(i32, HEAD, head + 1);
      beat();
    },
    run(index) {
      Atomics.store(i32, RUN, index);
      beat();
    },
  };
}

/** The watchdog side: reads the buffer (the worker may be mid-write; a torn line is only cosmetic). */
export function readStatus(sab: SharedArrayBuffer): StatusSnapshot {
  const i32 = new Int32Array(sab, 0, 16);
  const bytes = new Uint8Array(sab);
  const dec = new TextDecoder();
  const head = Atomics.load(i32, HEAD);
  const lastEvents: string[] = [];
  for (let i = Math.max(0, head - LINES); i < head; i++) {
    const at = RING_AT + (i % LINES) * LINE;
    const len = bytes[at]! | (bytes[at + 1]! << 8);
    lastEvents.push(dec.decode(bytes.slice(at + 2, at + 2 + Math.min(len, LINE - 2))));
  }
  return {
    heartbeat: Atomics.load(i32, HEARTBEAT),
    depth: Atomics.load(i32, DEPTH),
    routine: dec.decode(bytes.slice(ROUTINE_AT, ROUTINE_AT + Atomics.load(i32, ROUTINE_LEN))),
    run: Atomics.load(i32, RUN),
    lastEvents,
  };
}
