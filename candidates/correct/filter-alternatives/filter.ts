/**
 * filter-alternatives: IRP_MN_FILTER_RESOURCE_REQUIREMENTS, on the IRP's way back up.
 *
 * - Every MSI-X message descriptor of every alternative list is targeted at the CPU that
 *   ProviderSetDmaChannelCpuAffinity asked for its channel (message i = channel i; F47, F52).
 * - When the preferred list asks for two or more MSI-X messages, a fallback alternative list is
 *   appended: the same resources, in the same order, with only the first message. That changes the
 *   size of the requirements list, so (irp-mn-filter-resource-requirements.md) a new list is built in
 *   storage allocated from paged pool and takes the place of the previous one.
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  IrqPolicySpecifiedProcessors,
  POOL_FLAG_PAGED,
  type IO_RESOURCE_DESCRIPTOR,
  type IO_RESOURCE_LIST,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type KernelServices,
} from '../../../src/candidate-api';

/** x64 sizes of the C structures: the requirements-list header up to List, an IO_RESOURCE_LIST header, a descriptor. */
const REQ_HEADER_SIZE = 32;
const LIST_HEADER_SIZE = 8;
const DESCRIPTOR_SIZE = 32;

export type FilterOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'in-place' }
  | { readonly kind: 'replaced'; readonly list: IO_RESOURCE_REQUIREMENTS_LIST }
  | { readonly kind: 'no-memory' };

const isMessage = (d: IO_RESOURCE_DESCRIPTOR): boolean => d.Type === CmResourceTypeInterrupt && (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) !== 0;

const cloneDescriptor = (d: IO_RESOURCE_DESCRIPTOR): IO_RESOURCE_DESCRIPTOR => {
  if (d.Type === CmResourceTypeInterrupt) {
    return { ...d, u: { ...d.u, Interrupt: { ...d.u.Interrupt } } };
  }
  return { ...d, u: { ...d.u, Memory: { ...d.u.Memory } } };
};
const cloneList = (l: IO_RESOURCE_LIST, keep: (d: IO_RESOURCE_DESCRIPTOR) => boolean = () => true): IO_RESOURCE_LIST => {
  const Descriptors = l.Descriptors.filter(keep).map(cloneDescriptor);
  return { Version: l.Version, Revision: l.Revision, Count: Descriptors.length, Descriptors };
};

/** The alternative lists actually present (AlternativeLists, bounded by the array). */
const alternatives = (req: IO_RESOURCE_REQUIREMENTS_LIST): IO_RESOURCE_LIST[] => req.List.slice(0, Math.max(1, Math.min(req.AlternativeLists, req.List.length)));

const computedSize = (lists: readonly IO_RESOURCE_LIST[]): number =>
  REQ_HEADER_SIZE + lists.reduce((n, l) => n + LIST_HEADER_SIZE + DESCRIPTOR_SIZE * l.Descriptors.length, 0);

export function createFilter(k: KernelServices, tag: number) {
  /** Storage of the lists this image built, by list: if one comes back as the previous list, it is freed. */
  const storage = new WeakMap<object, Uint8Array>();

  /** Targets message i of `l` at the CPU wanted for channel i. Returns whether anything changed. */
  const target = (l: IO_RESOURCE_LIST, wanted: ReadonlyMap<number, number> | null): boolean => {
    if (!wanted || wanted.size === 0) return false;
    let message = 0;
    let changed = false;
    for (const d of l.Descriptors) {
      if (!isMessage(d) || d.Type !== CmResourceTypeInterrupt) continue;
      const cpu = wanted.get(message++);
      if (cpu === undefined || !Number.isInteger(cpu) || cpu < 0 || cpu > 63) continue;
      d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
      d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
      d.u.Interrupt.Group = 0;
      changed = true;
    }
    return changed;
  };

  /**
   * Filters `req` (the list at Irp->IoStatus.Information). Nothing is touched unless the outcome is
   * 'in-place' or 'replaced'; on 'no-memory' the previous list is left exactly as it was.
   */
  const filter = (req: IO_RESOURCE_REQUIREMENTS_LIST, wanted: ReadonlyMap<number, number> | null): FilterOutcome => {
    const alts = alternatives(req);
    const preferred = alts[0]!;
    const messages = preferred.Descriptors.filter(isMessage).length;
    // A fallback is worth adding when the preferred list wants several messages and no
    // alternative already does with one (a list we filtered before is not extended again).
    const needFallback = messages >= 2 && !alts.some((l) => l.Descriptors.filter(isMessage).length === 1);
    if (!needFallback) {
      let changed = false;
      for (const l of alts) changed = target(l, wanted) || changed;
      return changed ? { kind: 'in-place' } : { kind: 'unchanged' };
    }
    // Build the new list: copies of every alternative (affinities applied), then the fallback.
    let seen = 0;
    const fallback = cloneList(preferred, (d) => !isMessage(d) || seen++ === 0);
    const lists: IO_RESOURCE_LIST[] = alts.map((l) => cloneList(l));
    lists.push(fallback);
    const previousSize = req.ListSize > 0 ? req.ListSize : computedSize(alts);
    const ListSize = Math.max(previousSize + LIST_HEADER_SIZE + DESCRIPTOR_SIZE * fallback.Descriptors.length, computedSize(lists));
    const block = k.ExAllocatePool2(POOL_FLAG_PAGED, ListSize, tag);
    if (!block) return { kind: 'no-memory' };
    for (const l of lists) target(l, wanted);
    // The C image's header: ListSize and AlternativeLists (the rest is the list objects below).
    const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
    if (block.byteLength >= REQ_HEADER_SIZE) {
      v.setUint32(0, ListSize, true);
      v.setUint32(28, lists.length, true);
    }
    const next: IO_RESOURCE_REQUIREMENTS_LIST = { ListSize, AlternativeLists: lists.length, List: lists as [IO_RESOURCE_LIST, ...IO_RESOURCE_LIST[]] };
    storage.set(next, block);
    // "... allocate a new IO_RESOURCE_REQUIREMENTS_LIST list from paged memory and free the previous list."
    const old = storage.get(req);
    if (old) {
      storage.delete(req);
      k.ExFreePool(old);
    }
    return { kind: 'replaced', list: next };
  };

  return { filter };
}
