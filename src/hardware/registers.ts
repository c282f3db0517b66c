/**
 * BAR0 register map of the simulated I/OAT-class copy engine (version 3 layout).
 *
 * Like Linux `drivers/dma/ioat/registers.h`, this file holds only offsets, bit values and
 * the small types that name register contents (commands, channel states). Behaviour lives
 * in `commands.ts`, `dma.ts` and `engine.ts`.
 *
 * @module
 */

/** One register: byte offset inside its block and width in bytes. */
export interface RegisterLayout {
  /** Byte offset inside the general block or inside a channel block. */
  readonly offset: number;
  /** Width in bytes (1, 2, 4 or 8). */
  readonly size: 1 | 2 | 4 | 8;
}

/** Registers of the 0x80-byte general (device-wide) block at the start of BAR0. */
export const GENERAL_REGISTERS = {
  /** Channel count, bits 4:0 (read-only). */
  CHANCNT: { offset: 0x00, size: 1 },
  /** log2 of the largest transfer, bits 4:0; 0 means 32 GiB (read-only). */
  XFERCAP: { offset: 0x01, size: 1 },
  /** Interrupt control: {@link INTRCTRL} bits. */
  INTRCTRL: { offset: 0x03, size: 1 },
  /** One bit per channel with an interrupt raised since the last read; reading clears it. */
  ATTNSTATUS: { offset: 0x04, size: 4 },
  /** Hardware version, major version in the high nibble (read-only). */
  VER: { offset: 0x08, size: 1 },
  /** Interrupt coalescing delay, bits 13:0 (stored; the simulation has no time, so no effect). */
  INTRDELAY: { offset: 0x0c, size: 2 },
} as const satisfies Record<string, RegisterLayout>;

/** Name of a general-block register. */
export type GeneralRegisterName = keyof typeof GENERAL_REGISTERS;

/** Registers of one 0x80-byte channel block (offsets relative to {@link channelBlockOffset}). */
export const CHANNEL_REGISTERS = {
  /** Channel control: {@link CHANCTRL} bits. */
  CHANCTRL: { offset: 0x00, size: 2 },
  /** Channel command strobe: {@link CHANCMD} bits, one at a time. Reads 0 (0x20 while a reset is in progress). */
  CHANCMD: { offset: 0x04, size: 1 },
  /** 16-bit running count of descriptors handed to the engine (counted chain mode). */
  DMACOUNT: { offset: 0x06, size: 2 },
  /** Channel status: bits 63:6 last completed (or faulting) descriptor address, bits 2:0 {@link ChannelStateCode}. */
  CHANSTS: { offset: 0x08, size: 8 },
  /** Address of the first descriptor of a chain. */
  CHAINADDR: { offset: 0x10, size: 8 },
  /** Completion write-back address (64-byte aligned). */
  CHANCMP: { offset: 0x18, size: 8 },
  /** Current descriptor address: the descriptor most recently fetched (read-only). */
  CDAR: { offset: 0x20, size: 8 },
  /** Error bits ({@link CHANERR}), write 1 to clear. */
  CHANERR: { offset: 0x28, size: 4 },
  /** Error bits that are not reported (no error completion word, no error interrupt). */
  CHANERR_MASK: { offset: 0x2c, size: 4 },
  /**
   * DCA control (I/OAT v2+ `IOAT_DCACTRL_OFFSET`): {@link DCACTRL} bits. The channel's DCA
   * binding for completion-status writes: with CMPL_WRITE_ENABLE, each completion write carries a
   * DCA hint to the APIC id in bits 7:0 until a context-change descriptor retargets the channel.
   * Kept by CHANCMD RESET (like CHANCTRL and CHANCMP), cleared by a function reset (power loss).
   */
  DCACTRL: { offset: 0x30, size: 4 },
} as const satisfies Record<string, RegisterLayout>;

/** Name of a per-channel register. */
export type ChannelRegisterName = keyof typeof CHANNEL_REGISTERS;

/** Size of the general block and of each channel block. */
export const REGISTER_BLOCK_SIZE = 0x80;

/** Maximum number of channels the CHANCNT field can describe in this simulation. */
export const MAX_CHANNELS = 16;

/** BAR0 offset of channel `channel`'s register block: `0x80 * (channel + 1)`. */
export function channelBlockOffset(channel: number): number {
  return REGISTER_BLOCK_SIZE * (channel + 1);
}

/** BAR0 length for an engine with `channelCount` channels: `0x80 * (channelCount + 1)`. */
export function bar0Length(channelCount: number): number {
  return REGISTER_BLOCK_SIZE * (channelCount + 1);
}

/** Bits of INTRCTRL. */
export const INTRCTRL = {
  /** Master interrupt enable: without it no interrupt is raised (requests stay pending). */
  MASTER_INT_EN: 0x01,
  /** Read-only: set while ATTNSTATUS is non-zero. */
  INT_STATUS: 0x02,
  /** Stored, no effect in the simulation. */
  INT: 0x04,
  /** Stored, no effect in the simulation. */
  MSIX_VECTOR_CONTROL: 0x08,
} as const;

/** Bits of CHANCTRL. */
export const CHANCTRL = {
  /** Channel in use (stored for the driver; no effect on the engine). */
  IN_USE: 0x0100,
  /** Raise the channel interrupt when the channel halts on an error. */
  ERR_INT_EN: 0x0010,
  /** Stored only: descriptor errors always halt the channel in this simulation. */
  ANY_ERR_ABORT_EN: 0x0008,
  /** Write the HALTED completion word on an error halt or an ABORT. */
  ERR_COMPLETION_EN: 0x0004,
  /** Interrupt armed; hardware clears it when it raises the interrupt, the driver sets it to re-arm. */
  INT_REARM: 0x0001,
} as const;

/** Writable bits of CHANCTRL; other bits read as 0. */
export const CHANCTRL_WRITABLE_MASK = 0x011d;

/** Bits of DCACTRL (names follow Linux `IOAT_DCACTRL_*`). */
export const DCACTRL = {
  /** Completion-status writes carry a DCA hint (to TARGET_CPU, or to the last context change's APIC id). */
  CMPL_WRITE_ENABLE: 0x0100,
  /** APIC id the completion-status writes are bound to (bits 7:0). */
  TARGET_CPU_MASK: 0x00ff,
} as const;

/** Writable bits of DCACTRL; other bits read as 0. */
export const DCACTRL_WRITABLE_MASK = 0x01ff;

/** Command bits of CHANCMD. Exactly one may be written at a time. */
export const CHANCMD = {
  RESET: 0x20,
  RESUME: 0x10,
  ABORT: 0x08,
  SUSPEND: 0x04,
  APPEND: 0x02,
  START: 0x01,
} as const;

/** Bits of CHANERR (names follow Linux `IOAT_CHANERR_*`). */
export const CHANERR = {
  /** Source address not in allocated memory. */
  SRC_ADDR: 0x1,
  /** Destination address not in allocated memory. */
  DEST_ADDR: 0x2,
  /** Descriptor (or next-descriptor) address not in allocated memory. */
  NEXT_DESC_ADDR: 0x4,
  /** Descriptor (or next-descriptor) address not 64-byte aligned. */
  NEXT_DESC_ALIGN: 0x8,
  /** Chain-address value (not raised by this simulation; chain addresses report 0x4/0x8). */
  CHAIN_ADDR_VALUE: 0x10,
  /** Illegal CHANCMD: several bits, reserved bits, or a command the state does not accept. */
  CHANCMD: 0x20,
  /** Read data error (only by fault injection). */
  READ_DATA: 0x100,
  /** Write data error (only by fault injection). */
  WRITE_DATA: 0x200,
  /** Descriptor control: undefined ControlFlags bits, bad op type, or a page-break address with low 12 bits set. */
  DESC_CONTROL: 0x400,
  /** TransferSize above 2^XFERCAP. */
  LENGTH: 0x800,
  /** Completion address not 64-byte aligned or not allocated. */
  COMPLETION_ADDR: 0x1000,
  /** Interrupt configuration (not raised by this simulation). */
  INT_CONFIGURATION: 0x2000,
  /** Descriptor count (not raised by this simulation). */
  DESC_COUNT: 0x40000,
} as const;

/** Name of a CHANERR bit. */
export type ChanErrName = keyof typeof CHANERR;

/** Mask of the state field in CHANSTS (bits 2:0). */
export const CHANSTS_STATE_MASK = 0x7n;

/** Mask of the address field in CHANSTS and in completion words (bits 63:6). */
export const CHANSTS_ADDRESS_MASK = 0xffff_ffff_ffff_ffc0n;

/** Numeric channel state codes in CHANSTS bits 2:0 (equal to the NetDmaTransferStatus* codes). */
export const CHANNEL_STATE_CODE = {
  active: 0,
  idle: 1,
  suspended: 2,
  halted: 3,
  armed: 4,
} as const;

/** A CHANSTS state code. */
export type ChannelStateCode = (typeof CHANNEL_STATE_CODE)[keyof typeof CHANNEL_STATE_CODE];

/**
 * A channel's state as a tagged union.
 *
 * - `armed`: just allocated or reset; no descriptor completed since (CHANSTS code 4).
 * - `active`: a chain is running and the engine may process a descriptor at the next step (0).
 * - `idle`: the chain ran out of work (linked: tail with NextDescriptor 0; counted: count reached) (1).
 * - `suspended`: stopped by SUSPEND between two descriptors (2).
 * - `halted`: stopped by ABORT (`cause: 'abort'`, a new start is accepted) or by an error
 *   (`cause: 'error'`, only RESET leaves it) (3).
 */
export type ChannelState =
  | { readonly kind: 'armed' }
  | { readonly kind: 'active' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'suspended' }
  | { readonly kind: 'halted'; readonly cause: 'abort' | 'error' };

/** Name of a channel state (the `kind` of {@link ChannelState}). */
export type ChannelStateName = ChannelState['kind'];

/**
 * A decoded CHANCMD write.
 *
 * `none` is a write of 0 (ignored). `illegal` is a value with several command bits or with
 * the reserved bits 7:6; it sets CHANERR 0x20 and has no other effect.
 */
export type ChanCmd =
  | { readonly kind: 'none' }
  | { readonly kind: 'start' }
  | { readonly kind: 'append' }
  | { readonly kind: 'suspend' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'illegal'; readonly value: number; readonly reason: 'several-commands' | 'reserved-bits' };

/** Decodes the byte written to CHANCMD. */
export function decodeChanCmd(value: number): ChanCmd {
  const v = value & 0xff;
  if (v === 0) return { kind: 'none' };
  if ((v & 0xc0) !== 0) return { kind: 'illegal', value: v, reason: 'reserved-bits' };
  if ((v & (v - 1)) !== 0) return { kind: 'illegal', value: v, reason: 'several-commands' };
  switch (v) {
    case CHANCMD.START:
      return { kind: 'start' };
    case CHANCMD.APPEND:
      return { kind: 'append' };
    case CHANCMD.SUSPEND:
      return { kind: 'suspend' };
    case CHANCMD.ABORT:
      return { kind: 'abort' };
    case CHANCMD.RESUME:
      return { kind: 'resume' };
    default:
      return { kind: 'reset' };
  }
}

/** A register located by {@link locateRegister}. */
export type RegisterLocation =
  | { readonly block: 'general'; readonly name: GeneralRegisterName; readonly byteOffset: number }
  | { readonly block: 'channel'; readonly channel: number; readonly name: ChannelRegisterName; readonly byteOffset: number }
  | { readonly block: 'reserved' };

/**
 * Finds the register that an access of `width` bytes at BAR0 `offset` falls in.
 *
 * An access must lie entirely inside one register (`byteOffset` is its position there: a
 * 4-byte access at byteOffset 4 of a 64-bit register is the high half). Accesses that fall
 * in no register are `reserved`. Returns `undefined` when the access straddles a register
 * boundary. The caller checks the BAR length and natural alignment.
 */
export function locateRegister(offset: number, width: number, channelCount: number): RegisterLocation | undefined {
  const block = Math.floor(offset / REGISTER_BLOCK_SIZE);
  const inner = offset % REGISTER_BLOCK_SIZE;
  if (block > channelCount) return RESERVED;
  // Registers overlapping [inner, inner + width): found through a per-byte table, no allocation.
  const byByte = block === 0 ? GENERAL_BY_BYTE : CHANNEL_BY_BYTE;
  for (let b = inner; b < inner + width && b < REGISTER_BLOCK_SIZE; b++) {
    const hit = byByte[b];
    if (hit === undefined) continue;
    const [name, reg] = hit;
    if (inner < reg.offset || inner + width > reg.offset + reg.size) return undefined;
    const byteOffset = inner - reg.offset;
    return block === 0
      ? { block: 'general', name: name as GeneralRegisterName, byteOffset }
      : { block: 'channel', channel: block - 1, name: name as ChannelRegisterName, byteOffset };
  }
  return RESERVED;
}

const RESERVED: RegisterLocation = Object.freeze({ block: 'reserved' });

/** For each byte of a register block, the register that holds it. */
function byteTable(table: Record<string, RegisterLayout>): readonly (readonly [string, RegisterLayout] | undefined)[] {
  const out: (readonly [string, RegisterLayout] | undefined)[] = new Array(REGISTER_BLOCK_SIZE).fill(undefined);
  for (const [name, reg] of Object.entries(table)) for (let b = reg.offset; b < reg.offset + reg.size; b++) out[b] ??= [name, reg];
  return out;
}
const GENERAL_BY_BYTE = byteTable(GENERAL_REGISTERS);
const CHANNEL_BY_BYTE = byteTable(CHANNEL_REGISTERS);
