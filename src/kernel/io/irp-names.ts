import { IRP_MJ_PNP, IRP_MJ_POWER } from '../api/wdm';

const PNP: Record<number, string> = {
  0x00: 'IRP_MN_START_DEVICE',
  0x01: 'IRP_MN_QUERY_REMOVE_DEVICE',
  0x02: 'IRP_MN_REMOVE_DEVICE',
  0x03: 'IRP_MN_CANCEL_REMOVE_DEVICE',
  0x04: 'IRP_MN_STOP_DEVICE',
  0x05: 'IRP_MN_QUERY_STOP_DEVICE',
  0x06: 'IRP_MN_CANCEL_STOP_DEVICE',
  0x07: 'IRP_MN_QUERY_DEVICE_RELATIONS',
  0x08: 'IRP_MN_QUERY_INTERFACE',
  0x09: 'IRP_MN_QUERY_CAPABILITIES',
  0x0a: 'IRP_MN_QUERY_RESOURCES',
  0x0b: 'IRP_MN_QUERY_RESOURCE_REQUIREMENTS',
  0x0c: 'IRP_MN_QUERY_DEVICE_TEXT',
  0x0d: 'IRP_MN_FILTER_RESOURCE_REQUIREMENTS',
  0x0f: 'IRP_MN_READ_CONFIG',
  0x10: 'IRP_MN_WRITE_CONFIG',
  0x11: 'IRP_MN_EJECT',
  0x12: 'IRP_MN_SET_LOCK',
  0x13: 'IRP_MN_QUERY_ID',
  0x14: 'IRP_MN_QUERY_PNP_DEVICE_STATE',
  0x15: 'IRP_MN_QUERY_BUS_INFORMATION',
  0x16: 'IRP_MN_DEVICE_USAGE_NOTIFICATION',
  0x17: 'IRP_MN_SURPRISE_REMOVAL',
  0x18: 'IRP_MN_QUERY_LEGACY_BUS_INFORMATION',
  0x19: 'IRP_MN_DEVICE_ENUMERATED',
};
const MAJOR: Record<number, string> = {
  0x00: 'IRP_MJ_CREATE',
  0x02: 'IRP_MJ_CLOSE',
  0x03: 'IRP_MJ_READ',
  0x04: 'IRP_MJ_WRITE',
  0x0e: 'IRP_MJ_DEVICE_CONTROL',
  0x0f: 'IRP_MJ_INTERNAL_DEVICE_CONTROL',
  0x10: 'IRP_MJ_SHUTDOWN',
  0x12: 'IRP_MJ_CLEANUP',
  0x17: 'IRP_MJ_SYSTEM_CONTROL',
};
const POWER: Record<number, string> = { 0x00: 'IRP_MN_WAIT_WAKE', 0x01: 'IRP_MN_POWER_SEQUENCE', 0x02: 'IRP_MN_SET_POWER', 0x03: 'IRP_MN_QUERY_POWER' };

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** `IRP_MN_START_DEVICE`, `IRP_MN_SET_POWER`, `IRP_MJ_DEVICE_CONTROL`, `IRP_MJ_SYSTEM_CONTROL/0x08`, or `IRP_MJ(0x0e)/0x00` for a code without a name. */
export function irpName(major: number, minor: number): string {
  if (major === IRP_MJ_PNP) return PNP[minor] ?? `IRP_MJ_PNP/${hex(minor)}`;
  if (major === IRP_MJ_POWER) return POWER[minor] ?? `IRP_MJ_POWER/${hex(minor)}`;
  const name = MAJOR[major];
  if (name !== undefined) return major === 0x17 ? `${name}/${hex(minor)}` : name;
  return `IRP_MJ(${hex(major)})/${hex(minor)}`;
}
