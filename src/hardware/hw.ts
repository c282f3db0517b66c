/**
 * Hardware structures shared by the engine and the NetDMA interface: the 64-byte
 * NET_DMA_DESCRIPTOR, its ControlFlags values and the completion status codes
 * (values from the public netdma.h header; the I/OAT hardware descriptor has the same layout).
 *
 * Like Linux `drivers/dma/ioat/hw.h`, this file holds layouts and constants only.
 *
 * @module
 */

/** Size of a NET_DMA_DESCRIPTOR in bytes; descriptors must be 64-byte aligned. */
export const NET_DMA_DESCRIPTOR_SIZE = 64;

/** Byte offsets of the NET_DMA_DESCRIPTOR fields (little-endian). */
export const NET_DMA_DESCRIPTOR_OFFSETS = {
  /** u32: bytes to copy; for a context-change descriptor, the DCA context (APIC id in bits 7:0). */
  TransferSize: 0,
  /** u32: NET_DMA_* flags and op type (bits 31:24). */
  ControlFlags: 4,
  SourceAddress: 8,
  DestinationAddress: 16,
  NextDescriptor: 24,
  /** Reserved1 before NetDMA 2.0. */
  NextSourceAddress: 32,
  /** Reserved2 before NetDMA 2.0. */
  NextDestinationAddress: 40,
  UserContext1: 48,
  UserContext2: 56,
} as const;

/** Raise the channel interrupt after this descriptor. */
export const NET_DMA_INTERRUPT_ON_COMPLETION = 0x0000_0001;
/** Do not snoop CPU caches for the source (no effect in the simulation). */
export const NET_DMA_SOURCE_NO_SNOOP = 0x0000_0002;
/** Do not snoop CPU caches for the destination (no effect in the simulation). */
export const NET_DMA_DESTINATION_NO_SNOOP = 0x0000_0004;
/** Write the completion status word to CHANCMP after this descriptor. */
export const NET_DMA_STATUS_UPDATE_ON_COMPLETION = 0x0000_0008;
/** All writes of this descriptor complete before the next descriptor's data is read (the "fence" bit). */
export const NET_DMA_SERIALIZE_TRANSFER = 0x0000_0010;
/** No data moves; TransferSize and the addresses are not examined. */
export const NET_DMA_NULL_TRANSFER = 0x0000_0020;
/** The source continues at NextSourceAddress after the end of SourceAddress's 4 KiB page (2.0). */
export const NET_DMA_SOURCE_PAGE_BREAK = 0x0000_0040;
/** The destination continues at NextDestinationAddress after the end of its 4 KiB page (2.0). */
export const NET_DMA_DESTINATION_PAGE_BREAK = 0x0000_0080;
/** Send a DCA hint for the destination to the channel's DCA target (2.0). */
export const NET_DMA_DESTINATION_DCA_ENABLE = 0x0000_0200;
/**
 * ControlFlags bit that netdma.h defines for a context-change descriptor. Its value equals
 * NET_DMA_INTERRUPT_ON_COMPLETION; the engine treats the low bits of a context-change
 * descriptor exactly like any other descriptor's, so this bit also requests an interrupt.
 */
export const NET_DMA_DCA_CONTEXT_CHANGE = 0x0000_0001;
/** Op-type field (bits 31:24). */
export const NET_DMA_OP_TYPE_MASK = 0xff00_0000;
/** Op type of an ordinary copy (or NULL) descriptor. */
export const NET_DMA_OP_TYPE_STANDARD_DMA = 0x0000_0000;
/** Op type of a DCA context-change descriptor. */
export const NET_DMA_OP_TYPE_CONTEXT_CHANGE = 0xff00_0000;

/** Every flag bit below the op type that the engine accepts; any other bit is a descriptor-control error. */
export const NET_DMA_DEFINED_FLAGS_MASK =
  NET_DMA_INTERRUPT_ON_COMPLETION |
  NET_DMA_SOURCE_NO_SNOOP |
  NET_DMA_DESTINATION_NO_SNOOP |
  NET_DMA_STATUS_UPDATE_ON_COMPLETION |
  NET_DMA_SERIALIZE_TRANSFER |
  NET_DMA_NULL_TRANSFER |
  NET_DMA_SOURCE_PAGE_BREAK |
  NET_DMA_DESTINATION_PAGE_BREAK |
  NET_DMA_DESTINATION_DCA_ENABLE;

/**
 * The engine's features in PCI configuration space: a vendor-specific capability
 * (PCI_CAPABILITY_ID_VENDOR_SPECIFIC, 0x09) in the capability list that starts at the capabilities
 * pointer (config offset 0x34; each capability is `id, next, ...`). Byte `FEATURES` of that
 * capability holds `ENGINE_FEATURE_*` bits. A driver reads it with BUS_INTERFACE_STANDARD
 * GetBusData (PCI_WHICHSPACE_CONFIG), e.g. in AddDevice, before it has its registers.
 */
export const ENGINE_CAPABILITY = {
  /** Offset of the capabilities pointer in the configuration header. */
  CAPABILITIES_POINTER: 0x34,
  /** PCI_CAPABILITY_ID_VENDOR_SPECIFIC. */
  ID: 0x09,
  /** Byte offsets inside the capability: id, next pointer, length, feature bits. */
  ID_OFFSET: 0,
  NEXT_OFFSET: 1,
  LENGTH_OFFSET: 2,
  FEATURES_OFFSET: 3,
  /** Value of the length byte. */
  LENGTH: 8,
} as const;

/**
 * Feature bit: the engine does Direct Cache Access (DCACTRL, context-change retargeting, DCA
 * hints). Without it DCACTRL is absent (reads 0, writes are ignored), context-change descriptors
 * complete without retargeting anything, and no write carries a DCA hint: the driver must not set
 * NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED.
 */
export const ENGINE_FEATURE_DCA = 0x01;

/** Page size used by page-break descriptors (the engine's, independent of the memory's allocation granule). */
export const NET_DMA_PAGE_SIZE = 4096;

/** Completion status: the descriptor completed and more work remains. */
export const NetDmaTransferStatusActive = 0;
/** Completion status: the descriptor completed and was the last pending one. */
export const NetDmaTransferStatusIdle = 1;
/** Completion status: the channel is suspended after this descriptor. */
export const NetDmaTransferStatusSuspend = 2;
/** Completion status: the channel halted (error or abort). */
export const NetDmaTransferStatusHalted = 3;
/** Completion status: no descriptor completed yet; the address field is not valid. */
export const NetDmaTransferStatusArmed = 4;

/** A NetDmaTransferStatus* value. */
export type NetDmaTransferStatus =
  | typeof NetDmaTransferStatusActive
  | typeof NetDmaTransferStatusIdle
  | typeof NetDmaTransferStatusSuspend
  | typeof NetDmaTransferStatusHalted
  | typeof NetDmaTransferStatusArmed;

/** Mask of the status field in a completion word. */
export const NET_DMA_TRANSFER_STATUS_MASK = 0x7;

/** Mask of the descriptor-address field in a completion word (bits 63:6). */
export const NET_DMA_COMPLETION_ADDRESS_MASK = 0xffff_ffff_ffff_ffc0n;

/** A decoded NET_DMA_DESCRIPTOR (WDK field names). Addresses are physical. */
export interface NetDmaDescriptor {
  /** Bytes to copy (u32); DCA context (APIC id in bits 7:0) for a context-change descriptor. */
  readonly TransferSize: number;
  /** NET_DMA_* flags and op type (u32, unsigned). */
  readonly ControlFlags: number;
  readonly SourceAddress: bigint;
  readonly DestinationAddress: bigint;
  readonly NextDescriptor: bigint;
  readonly NextSourceAddress: bigint;
  readonly NextDestinationAddress: bigint;
  readonly UserContext1: bigint;
  readonly UserContext2: bigint;
}

/** An all-zero descriptor, convenient as a base for spreads. */
export const EMPTY_DESCRIPTOR: NetDmaDescriptor = Object.freeze({
  TransferSize: 0,
  ControlFlags: 0,
  SourceAddress: 0n,
  DestinationAddress: 0n,
  NextDescriptor: 0n,
  NextSourceAddress: 0n,
  NextDestinationAddress: 0n,
  UserContext1: 0n,
  UserContext2: 0n,
});

/** Encodes `d` (missing fields are 0) into `target` at `offset` (64 bytes, little-endian). */
export function encodeDescriptorInto(target: Uint8Array, offset: number, d: Partial<NetDmaDescriptor>): void {
  const v = new DataView(target.buffer, target.byteOffset + offset, NET_DMA_DESCRIPTOR_SIZE);
  const o = NET_DMA_DESCRIPTOR_OFFSETS;
  v.setUint32(o.TransferSize, (d.TransferSize ?? 0) >>> 0, true);
  v.setUint32(o.ControlFlags, (d.ControlFlags ?? 0) >>> 0, true);
  v.setBigUint64(o.SourceAddress, BigInt.asUintN(64, d.SourceAddress ?? 0n), true);
  v.setBigUint64(o.DestinationAddress, BigInt.asUintN(64, d.DestinationAddress ?? 0n), true);
  v.setBigUint64(o.NextDescriptor, BigInt.asUintN(64, d.NextDescriptor ?? 0n), true);
  v.setBigUint64(o.NextSourceAddress, BigInt.asUintN(64, d.NextSourceAddress ?? 0n), true);
  v.setBigUint64(o.NextDestinationAddress, BigInt.asUintN(64, d.NextDestinationAddress ?? 0n), true);
  v.setBigUint64(o.UserContext1, BigInt.asUintN(64, d.UserContext1 ?? 0n), true);
  v.setBigUint64(o.UserContext2, BigInt.asUintN(64, d.UserContext2 ?? 0n), true);
}

/** Encodes `d` (missing fields are 0) as a fresh 64-byte array. */
export function encodeDescriptor(d: Partial<NetDmaDescriptor>): Uint8Array {
  const bytes = new Uint8Array(NET_DMA_DESCRIPTOR_SIZE);
  encodeDescriptorInto(bytes, 0, d);
  return bytes;
}

/** Decodes the 64 bytes at `offset` of `bytes`. */
export function decodeDescriptor(bytes: Uint8Array, offset = 0): NetDmaDescriptor {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, NET_DMA_DESCRIPTOR_SIZE);
  return decodeDescriptorView(v, 0);
}

/** Decodes the 64 bytes at byte `offset` of a DataView (no new view: the engine's fetch path). */
export function decodeDescriptorView(v: DataView, offset: number): NetDmaDescriptor {
  if (offset < 0 || offset + NET_DMA_DESCRIPTOR_SIZE > v.byteLength) throw new RangeError(`descriptor at ${offset} outside the view`);
  const o = NET_DMA_DESCRIPTOR_OFFSETS;
  return {
    TransferSize: v.getUint32(offset + o.TransferSize, true),
    ControlFlags: v.getUint32(offset + o.ControlFlags, true),
    SourceAddress: v.getBigUint64(offset + o.SourceAddress, true),
    DestinationAddress: v.getBigUint64(offset + o.DestinationAddress, true),
    NextDescriptor: v.getBigUint64(offset + o.NextDescriptor, true),
    NextSourceAddress: v.getBigUint64(offset + o.NextSourceAddress, true),
    NextDestinationAddress: v.getBigUint64(offset + o.NextDestinationAddress, true),
    UserContext1: v.getBigUint64(offset + o.UserContext1, true),
    UserContext2: v.getBigUint64(offset + o.UserContext2, true),
  };
}

/** The completion word `(descriptorPa & ~0x3F) | status` the engine writes to CHANCMP. */
export function completionWord(descriptorPa: bigint, status: NetDmaTransferStatus): bigint {
  return (descriptorPa & NET_DMA_COMPLETION_ADDRESS_MASK) | BigInt(status);
}

/** Splits a completion word into its descriptor address and status. */
export function parseCompletionWord(word: bigint): { readonly descriptorPa: bigint; readonly status: number } {
  return { descriptorPa: word & NET_DMA_COMPLETION_ADDRESS_MASK, status: Number(word & BigInt(NET_DMA_TRANSFER_STATUS_MASK)) };
}

/** WDK names of the NetDmaTransferStatus codes, indexed by code. */
export const NET_DMA_TRANSFER_STATUS_NAMES = [
  'NetDmaTransferStatusActive',
  'NetDmaTransferStatusIdle',
  'NetDmaTransferStatusSuspend',
  'NetDmaTransferStatusHalted',
  'NetDmaTransferStatusArmed',
] as const;

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [NET_DMA_INTERRUPT_ON_COMPLETION, 'INTERRUPT_ON_COMPLETION'],
  [NET_DMA_SOURCE_NO_SNOOP, 'SOURCE_NO_SNOOP'],
  [NET_DMA_DESTINATION_NO_SNOOP, 'DESTINATION_NO_SNOOP'],
  [NET_DMA_STATUS_UPDATE_ON_COMPLETION, 'STATUS_UPDATE_ON_COMPLETION'],
  [NET_DMA_SERIALIZE_TRANSFER, 'SERIALIZE_TRANSFER'],
  [NET_DMA_NULL_TRANSFER, 'NULL_TRANSFER'],
  [NET_DMA_SOURCE_PAGE_BREAK, 'SOURCE_PAGE_BREAK'],
  [NET_DMA_DESTINATION_PAGE_BREAK, 'DESTINATION_PAGE_BREAK'],
  [NET_DMA_DESTINATION_DCA_ENABLE, 'DESTINATION_DCA_ENABLE'],
];

/** Renders ControlFlags for traces, e.g. `INTERRUPT_ON_COMPLETION|NULL_TRANSFER` or `OP_TYPE_CONTEXT_CHANGE|0x100`. */
export function describeControlFlags(flags: number): string {
  const f = flags >>> 0;
  const parts: string[] = [];
  const op = (f & NET_DMA_OP_TYPE_MASK) >>> 0;
  if (op === NET_DMA_OP_TYPE_CONTEXT_CHANGE) parts.push('OP_TYPE_CONTEXT_CHANGE');
  else if (op !== 0) parts.push(`OP_TYPE_0x${(op >>> 24).toString(16)}`);
  let rest = f & ~NET_DMA_OP_TYPE_MASK;
  for (const [bit, name] of FLAG_NAMES) {
    if ((rest & bit) !== 0) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.length === 0 ? '0' : parts.join('|');
}
