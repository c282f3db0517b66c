/**
 * Remove locks (IoInitializeRemoveLock, IoAcquireRemoveLock, IoReleaseRemoveLock,
 * IoReleaseRemoveLockAndWait) with the tracking Driver Verifier's remove-lock checks do.
 *
 * As in Windows, a lock starts with a bias of one: IoReleaseRemoveLockAndWait releases the
 * caller's acquisition and the bias, refuses new acquisitions (STATUS_DELETE_PENDING), and waits
 * until every other acquisition is released. Each acquisition is tracked by its tag, as the
 * verifier's tracking blocks are, so a release of a tag never acquired is caught at the call.
 *
 * @module
 */
import { DISPATCH_LEVEL, PASSIVE_LEVEL, irqlName } from '../api/irql';
import { STATUS_DELETE_PENDING, STATUS_SUCCESS } from '../api/ntstatus';
import type { KernelContext } from '../ke/context';

/** What the remove locks use of the machine: the kernel context and a way to block the calling thread. */
export interface RemoveLocksHost extends KernelContext {
  readonly sync: { block(done: () => boolean, deadline: bigint | null): 'done' | 'timeout' | 'hang' };
}

/** The kernel's record of one IO_REMOVE_LOCK. */
interface RemoveLockRecord {
  readonly name: string;
  readonly allocateTag: number;
  readonly highWatermark: number;
  /** The bias (1 until IoReleaseRemoveLockAndWait) plus the outstanding acquisitions. */
  ioCount: number;
  /** IoReleaseRemoveLockAndWait has begun. */
  removed: boolean;
  /** Outstanding acquisitions per tag. */
  readonly tags: Map<unknown, number>;
}

function tagText(tag: unknown): string {
  if (tag === null || tag === undefined) return 'NULL';
  if (typeof tag === 'object') {
    const name = (tag as { Name?: unknown }).Name;
    return typeof name === 'string' ? name : 'an object';
  }
  if (typeof tag === 'function') return 'a function';
  return String(tag);
}

/** The machine's remove locks. */
export class RemoveLocks {
  readonly #locks = new WeakMap<object, RemoveLockRecord>();
  /** Locks with outstanding acquisitions (for the IoDeleteDevice and Unload audits). */
  readonly #held = new Map<object, RemoveLockRecord>();
  #next = 1;

  constructor(private readonly m: RemoveLocksHost) {}

  /** IoInitializeRemoveLock. */
  initialize(lock: unknown, allocateTag: unknown, maxLockedMinutes: unknown, highWatermark: unknown): void {
    const m: RemoveLocksHost = this.m;
    m.trace.add('call', 'IoInitializeRemoveLock');
    if (typeof lock !== 'object' || lock === null) m.verifier.fail('KAPI-01', 'IoInitializeRemoveLock(NULL)');
    m.verifier.check('KE-IRQL-01', m.cpus.current.irql === PASSIVE_LEVEL, () => `IoInitializeRemoveLock at ${irqlName(m.cpus.current.irql)}; it is allowed at PASSIVE_LEVEL only`);
    const old = this.#locks.get(lock);
    m.verifier.check('KSVC-01', old === undefined || old.ioCount - (old.removed ? 0 : 1) === 0, () => `IoInitializeRemoveLock of ${old?.name}, which has acquisitions outstanding`);
    const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0x7fff_ffff;
    if (!isCount(maxLockedMinutes) || !isCount(highWatermark)) m.verifier.fail('KAPI-01', 'IoInitializeRemoveLock: MaxLockedMinutes and HighWatermark are ULONG counts');
    if (typeof allocateTag !== 'number') m.verifier.fail('KAPI-01', 'IoInitializeRemoveLock: AllocateTag is not a ULONG pool tag');
    this.#locks.set(lock, { name: `REMOVE_LOCK#${this.#next++}`, allocateTag: allocateTag >>> 0, highWatermark, ioCount: 1, removed: false, tags: new Map() });
    this.#held.delete(lock);
  }

  #record(lock: unknown, api: string): RemoveLockRecord {
    const rec = typeof lock === 'object' && lock !== null ? this.#locks.get(lock) : undefined;
    if (!rec) this.m.verifier.fail('KSVC-01', `${api} on a remove lock that IoInitializeRemoveLock never initialised`);
    return rec;
  }

  /** IoAcquireRemoveLock. */
  acquire(lock: object, tag: unknown): number {
    const m: RemoveLocksHost = this.m;
    const rec = this.#record(lock, 'IoAcquireRemoveLock');
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `IoAcquireRemoveLock at ${irqlName(m.cpus.current.irql)}; it is allowed up to DISPATCH_LEVEL`);
    if (rec.removed) {
      m.trace.add('call', () => `IoAcquireRemoveLock(${rec.name}, ${tagText(tag)}) = STATUS_DELETE_PENDING`);
      return STATUS_DELETE_PENDING;
    }
    rec.ioCount++;
    rec.tags.set(tag, (rec.tags.get(tag) ?? 0) + 1);
    this.#held.set(lock, rec);
    m.trace.add('call', () => `IoAcquireRemoveLock(${rec.name}, ${tagText(tag)})`);
    const outstanding = rec.ioCount - 1;
    m.verifier.check('KSVC-01', rec.highWatermark === 0 || outstanding <= rec.highWatermark, () =>
      `IoAcquireRemoveLock(${rec.name}): ${outstanding} acquisitions outstanding, above the HighWatermark ${rec.highWatermark} given to IoInitializeRemoveLock (acquisitions are leaking)`);
    return STATUS_SUCCESS;
  }

  #releaseTag(rec: RemoveLockRecord, tag: unknown, api: string): void {
    const n = rec.tags.get(tag) ?? 0;
    this.m.verifier.check('KSVC-01', n > 0, () =>
      rec.tags.size === 0
        ? `${api}(${rec.name}, ${tagText(tag)}) with no acquisition outstanding: more releases than acquisitions`
        : `${api}(${rec.name}, ${tagText(tag)}): no acquisition with that tag is outstanding (Driver Verifier: "couldn't find tag"); outstanding: ${[...rec.tags.keys()].map(tagText).join(', ')}`);
    if (n === 1) rec.tags.delete(tag);
    else rec.tags.set(tag, n - 1);
    rec.ioCount--;
  }

  /** IoReleaseRemoveLock. */
  release(lock: object, tag: unknown): void {
    const m: RemoveLocksHost = this.m;
    const rec = this.#record(lock, 'IoReleaseRemoveLock');
    m.trace.add('call', () => `IoReleaseRemoveLock(${rec.name}, ${tagText(tag)})`);
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => `IoReleaseRemoveLock at ${irqlName(m.cpus.current.irql)}; it is allowed up to DISPATCH_LEVEL`);
    this.#releaseTag(rec, tag, 'IoReleaseRemoveLock');
    if (rec.tags.size === 0) this.#held.delete(lock);
  }

  /** IoReleaseRemoveLockAndWait. */
  releaseAndWait(lock: object, tag: unknown): void {
    const m: RemoveLocksHost = this.m;
    const rec = this.#record(lock, 'IoReleaseRemoveLockAndWait');
    m.trace.add('call', () => `IoReleaseRemoveLockAndWait(${rec.name}, ${tagText(tag)})`);
    m.verifier.check('KE-IRQL-01', m.cpus.current.irql === PASSIVE_LEVEL, () => `IoReleaseRemoveLockAndWait at ${irqlName(m.cpus.current.irql)}; it waits, at PASSIVE_LEVEL only`);
    m.verifier.check('KSVC-01', !rec.removed, () => `IoReleaseRemoveLockAndWait(${rec.name}) called a second time: the bias is already released`);
    m.verifier.check('KSVC-01', (rec.tags.get(tag) ?? 0) > 0, () => `IoReleaseRemoveLockAndWait(${rec.name}, ${tagText(tag)}) without holding an acquisition with that tag: call IoAcquireRemoveLock first (the wait releases the caller's acquisition and the bias)`);
    rec.removed = true;
    this.#releaseTag(rec, tag, 'IoReleaseRemoveLockAndWait');
    rec.ioCount--; // the bias
    if (rec.ioCount === 0) {
      this.#held.delete(lock);
      return;
    }
    const r = m.sync.block(() => rec.ioCount === 0, null);
    m.assertAlive();
    m.verifier.check('KSVC-02', r === 'done', () =>
      `IoReleaseRemoveLockAndWait(${rec.name}) waits forever: ${rec.ioCount} acquisition(s) are never released (tags ${[...rec.tags.keys()].map(tagText).join(', ')})`);
    this.#held.delete(lock);
  }

  /** Locks among `objs` with acquisitions outstanding, as `name (n held)`. */
  heldAmong(objs: Iterable<object>): string[] {
    const out: string[] = [];
    for (const o of objs) {
      const r = this.#held.get(o);
      if (r && r.tags.size > 0) out.push(`${r.name} (${[...r.tags.values()].reduce((a, b) => a + b, 0)} held: ${[...r.tags.keys()].map(tagText).join(', ')})`);
    }
    return out;
  }

  /** True when some remove lock has an acquisition outstanding. */
  get anyHeld(): boolean {
    return this.#held.size > 0;
  }

  /** Every lock with acquisitions outstanding. */
  get heldNames(): string[] {
    return this.heldAmong(this.#held.keys());
  }
}
