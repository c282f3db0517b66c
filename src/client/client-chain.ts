/**
 * The NetDMA client's copy buffers and descriptor chains, dmatest style: source and destination
 * regions with guard bytes and the strong counter pattern, random lengths and offsets, NULL,
 * zero-length, serialized, page-break (2.0) and DCA-flagged (2.0, ignored by non-DCA providers)
 * descriptors, with status-update and interrupt flags.
 *
 * @module
 */
import {
  NET_DMA_DESTINATION_DCA_ENABLE,
  NET_DMA_DESTINATION_PAGE_BREAK,
  NET_DMA_INTERRUPT_ON_COMPLETION,
  NET_DMA_NULL_TRANSFER,
  NET_DMA_PAGE_SIZE,
  NET_DMA_SERIALIZE_TRANSFER,
  NET_DMA_SOURCE_PAGE_BREAK,
  NET_DMA_STATUS_UPDATE_ON_COMPLETION,
} from '../hardware';
import type { Segment } from '../hardware';

/** One copy a workload asks for (the descriptor it becomes). */
export interface CopySpec {
  readonly kind: 'copy' | 'null' | 'zero';
  /** Bytes to copy (copy kind). */
  readonly length: number;
  /** Extra offsets (0..63) of the source and destination windows, for odd alignments. */
  readonly srcSkew: number;
  readonly dstSkew: number;
  readonly status: boolean;
  readonly interrupt: boolean;
  readonly serialize: boolean;
  /** NET_DMA_DESTINATION_DCA_ENABLE (2.0 only; a non-DCA provider must ignore it). */
  readonly dca: boolean;
  /** Page break on the source, the destination, both (2.0 only). */
  readonly pageBreak: 'none' | 'src' | 'dst' | 'both';
  /**
   * A copy sized from the provider: `MaximumTransferSize - belowMax` bytes (the MaximumTransferSize
   * it reported at NetDmaProviderStart), instead of `length`, when the client's buffers can hold it
   * (NDMA-DP-16). Absent: `length` as drawn.
   */
  readonly belowMax?: number;
}

/** Guard bytes checked before and after every window. */
export const GUARD = 64;

/** A bump allocator inside one arena of simulated memory. */
export class Arena {
  #cursor = 0;
  constructor(
    readonly base: bigint,
    readonly size: number,
  ) {}

  /** Whether {@link Arena.carve} can still find room for a window of `length` bytes, page break or not. */
  fits(length: number): boolean {
    return ((this.#cursor + 63) & ~63) + length + 2 * GUARD + 64 + 2 * NET_DMA_PAGE_SIZE <= this.size;
  }

  /**
   * Carves a window of `length` bytes with `GUARD` bytes either side; with `pageBreak` the window
   * ends `split` bytes into... the first segment runs to a page end and the rest starts on a later
   * page boundary. Returns the segments and the guarded regions, or null when the arena is full.
   */
  carve(length: number, skew: number, pageBreak: boolean): { segments: Segment[]; regions: Segment[] } | null {
    const start64 = (this.#cursor + 63) & ~63;
    if (!pageBreak || length < 2) {
      const start = start64 + GUARD + skew;
      const end = start + length + GUARD;
      if (end > this.size) return null;
      this.#cursor = end;
      return { segments: [{ pa: this.base + BigInt(start), length }], regions: [{ pa: this.base + BigInt(start - GUARD), length: length + 2 * GUARD }] };
    }
    const first = 1 + (skew * 37 + length) % Math.min(length - 1, NET_DMA_PAGE_SIZE - 1);
    const page = Math.ceil((start64 + GUARD + first) / NET_DMA_PAGE_SIZE) * NET_DMA_PAGE_SIZE;
    const s1 = page - first;
    const s2 = page + NET_DMA_PAGE_SIZE;
    const rest = length - first;
    const end = s2 + rest + GUARD;
    if (end > this.size) return null;
    this.#cursor = end;
    return {
      segments: [
        { pa: this.base + BigInt(s1), length: first },
        { pa: this.base + BigInt(s2), length: rest },
      ],
      regions: [
        { pa: this.base + BigInt(s1 - GUARD), length: first + GUARD },
        { pa: this.base + BigInt(s2 - GUARD), length: rest + 2 * GUARD },
      ],
    };
  }
}

/** ControlFlags for a spec. */
export function controlFlags(s: CopySpec, counted: boolean): number {
  let f = 0;
  if (s.status) f |= NET_DMA_STATUS_UPDATE_ON_COMPLETION;
  if (s.interrupt) f |= NET_DMA_INTERRUPT_ON_COMPLETION;
  if (s.serialize) f |= NET_DMA_SERIALIZE_TRANSFER;
  if (s.kind === 'null') f |= NET_DMA_NULL_TRANSFER;
  if (counted && s.kind === 'copy') {
    if (s.dca) f |= NET_DMA_DESTINATION_DCA_ENABLE;
    if (s.pageBreak === 'src' || s.pageBreak === 'both') f |= NET_DMA_SOURCE_PAGE_BREAK;
    if (s.pageBreak === 'dst' || s.pageBreak === 'both') f |= NET_DMA_DESTINATION_PAGE_BREAK;
  }
  return f >>> 0;
}

/** Concatenates views. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
