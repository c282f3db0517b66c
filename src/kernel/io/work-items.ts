/**
 * I/O work items (IoAllocateWorkItem, IoQueueWorkItem, IoFreeWorkItem): a driver's routine run
 * later at PASSIVE_LEVEL by a system worker thread, with Driver Verifier's pairing checks.
 *
 * @module
 */
import { PASSIVE_LEVEL } from '../api/irql';
import type { DEVICE_OBJECT, IO_WORKITEM_ROUTINE } from '../api/wdm';
import type { KernelContext } from '../ke/context';
import { callProvider } from '../ke/invoke';
import { workItem } from '../ke/scheduler';
import type { ObjectTable } from '../ob/objects';
import type { LowResourceService } from '../verifier/low-resources';

/** What the work items use of the machine: the kernel context and the device objects. */
export interface WorkItemsHost extends KernelContext {
  readonly objects: ObjectTable;
  /** Whether this call of a fallible service fails (Driver Verifier's low-resources simulation). */
  lowResourceFails(service: LowResourceService, api: string): boolean;
}

interface WorkItemRecord {
  readonly device: DEVICE_OBJECT;
  queued: boolean;
  freed: boolean;
}

/** The I/O manager's work items. */
export class IoWorkItems {
  readonly #workItems = new Map<object, WorkItemRecord>();

  constructor(private readonly m: WorkItemsHost) {}

  /** IoAllocateWorkItem: a work item for a device object the driver owns. */
  allocWorkItem(device: DEVICE_OBJECT): object | null {
    const rec = this.m.objects.device(device);
    if (!rec || rec.deleted) this.m.verifier.fail('KAPI-01', 'IoAllocateWorkItem for a device object that does not exist');
    if (this.m.lowResourceFails('work-item', 'IoAllocateWorkItem')) return null;
    const item = Object.freeze({});
    this.#workItems.set(item, { device, queued: false, freed: false });
    return item;
  }

  /** IoQueueWorkItem: runs `routine` later at PASSIVE_LEVEL, once no spin lock is held. */
  queueWorkItem(item: object, routine: IO_WORKITEM_ROUTINE, context: unknown): void {
    const m: WorkItemsHost = this.m;
    const rec = this.#workItems.get(item);
    if (!rec || rec.freed) m.verifier.fail('KAPI-01', 'IoQueueWorkItem with a work item IoAllocateWorkItem did not return (or freed)');
    m.verifier.check('KAPI-01', !rec.queued, () => 'IoQueueWorkItem of a work item that is already queued');
    rec.queued = true;
    m.trace.add('call', 'IoQueueWorkItem');
    m.work.push(
      workItem(
        'work item',
        () => !m.cpus.anyLockHeld,
        () => {
          rec.queued = false;
          callProvider(m, 'WorkItemRoutine', { cpu: 0, irql: PASSIVE_LEVEL }, 'void', () => routine(rec.device, context));
        },
      ),
    );
  }

  /** IoFreeWorkItem: only of an allocated work item that is not queued. */
  freeWorkItem(item: object): void {
    const rec = this.#workItems.get(item);
    if (!rec || rec.freed) this.m.verifier.fail('KAPI-02', 'IoFreeWorkItem of a work item that was not allocated or was freed already');
    this.m.verifier.check('KAPI-02', !rec.queued, () => 'IoFreeWorkItem of a work item that is still queued');
    rec.freed = true;
    this.#workItems.delete(item);
  }

  /** Work items allocated and not freed (leak accounting at Unload). */
  get liveWorkItems(): number {
    return this.#workItems.size;
  }
}
