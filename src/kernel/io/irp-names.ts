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
  0x09: 'IRP_MN_QUERY_CAPABILITIES',
  0x0d: 'IRP_MN_FILTER_RESOURCE_REQUIREMENTS',
  0x14: 'IRP_MN_QUERY_PNP_DEVICE_STATE',
  0x17: 'IRP_MN_SURPRISE_REMOVAL',
};
const POWER: Record<number, string> = { 0x00: 'IRP_MN_WAIT_WAKE', 0x01: 'IRP_MN_POWER_SEQUENCE', 0x02: 'IRP_MN_SET_POWER', 0x03: 'IRP_MN_QUERY_POWER' };

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** `IRP_MN_START_DEVICE`, `IRP_MN_SET_POWER`, or `IRP_MJ(0x0e)/0x00`. */
export function irpName(major: number, minor: number): string {
  if (major === IRP_MJ_PNP) return PNP[minor] ?? `IRP_MJ_PNP/${hex(minor)}`;
  if (major === IRP_MJ_POWER) return POWER[minor] ?? `IRP_MJ_POWER/${hex(minor)}`;
  return `IRP_MJ(${hex(major)})/${hex(minor)}`;
}
