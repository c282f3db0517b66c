/**
 * The engine's 256-byte PCI configuration space (type 0 header, an MSI-X capability and the
 * engine's vendor-specific feature capability).
 *
 * @module
 */
import { ENGINE_CAPABILITY, ENGINE_FEATURE_DCA } from './hw';

/** Offsets in the configuration space that the simulation fills. */
export const PCI_CONFIG = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION_ID: 0x08,
  PROG_IF: 0x09,
  SUBCLASS: 0x0a,
  BASE_CLASS: 0x0b,
  HEADER_TYPE: 0x0e,
  BAR0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  CAPABILITIES_POINTER: 0x34,
  INTERRUPT_PIN: 0x3d,
  /** The MSI-X capability (id 0x11) the capabilities pointer leads to. */
  MSIX_CAPABILITY: 0x40,
  /** The engine's vendor-specific capability (id 0x09, {@link ENGINE_CAPABILITY}), next after MSI-X. */
  ENGINE_CAPABILITY: 0x50,
} as const;

/** PCI capability id of MSI-X. */
export const PCI_CAP_ID_MSIX = 0x11;

/** Inputs of {@link buildConfigSpace}. */
export interface ConfigSpaceInit {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly revision: number;
  /** One MSI-X message per channel. */
  readonly channelCount: number;
  /** The engine does DCA: {@link ENGINE_FEATURE_DCA} in the vendor-specific capability. */
  readonly dca: boolean;
}

/**
 * Builds the configuration space: vendor/device id (u16 LE at 0 and 2), revision (= VER),
 * class 0x08/0x80 (system peripheral, other), status bit 4 (capability list), a 64-bit
 * memory BAR0 type field, interrupt pin A, an MSI-X capability at 0x40 whose table size
 * field is `channelCount - 1` (table in BAR0 region 0 is not simulated), and at 0x50 the engine's
 * vendor-specific capability (id 0x09, length 8) whose feature byte has {@link ENGINE_FEATURE_DCA}
 * when the engine does DCA. The capability is always present; only the bit varies.
 */
export function buildConfigSpace(init: ConfigSpaceInit): Uint8Array {
  const cs = new Uint8Array(256);
  const v = new DataView(cs.buffer);
  v.setUint16(PCI_CONFIG.VENDOR_ID, init.vendorId & 0xffff, true);
  v.setUint16(PCI_CONFIG.DEVICE_ID, init.deviceId & 0xffff, true);
  v.setUint16(PCI_CONFIG.COMMAND, 0, true);
  v.setUint16(PCI_CONFIG.STATUS, 0x0010, true);
  cs[PCI_CONFIG.REVISION_ID] = init.revision & 0xff;
  cs[PCI_CONFIG.SUBCLASS] = 0x80;
  cs[PCI_CONFIG.BASE_CLASS] = 0x08;
  cs[PCI_CONFIG.HEADER_TYPE] = 0x00;
  v.setUint32(PCI_CONFIG.BAR0, 0x4, true); // memory, 64-bit, not prefetchable
  v.setUint16(PCI_CONFIG.SUBSYSTEM_VENDOR_ID, init.vendorId & 0xffff, true);
  v.setUint16(PCI_CONFIG.SUBSYSTEM_ID, init.deviceId & 0xffff, true);
  cs[PCI_CONFIG.CAPABILITIES_POINTER] = PCI_CONFIG.MSIX_CAPABILITY;
  cs[PCI_CONFIG.INTERRUPT_PIN] = 1;
  cs[PCI_CONFIG.MSIX_CAPABILITY] = PCI_CAP_ID_MSIX;
  cs[PCI_CONFIG.MSIX_CAPABILITY + 1] = PCI_CONFIG.ENGINE_CAPABILITY;
  v.setUint16(PCI_CONFIG.MSIX_CAPABILITY + 2, (init.channelCount - 1) & 0x7ff, true);
  const cap = PCI_CONFIG.ENGINE_CAPABILITY;
  cs[cap + ENGINE_CAPABILITY.ID_OFFSET] = ENGINE_CAPABILITY.ID;
  cs[cap + ENGINE_CAPABILITY.NEXT_OFFSET] = 0; // end of list
  cs[cap + ENGINE_CAPABILITY.LENGTH_OFFSET] = ENGINE_CAPABILITY.LENGTH;
  cs[cap + ENGINE_CAPABILITY.FEATURES_OFFSET] = init.dca ? ENGINE_FEATURE_DCA : 0;
  return cs;
}
