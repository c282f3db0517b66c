/**
 * NTSTATUS values, held as unsigned 32-bit numbers (`0xC0000001`, not `-1073741823`).
 * Candidates may return either form; the kernel normalises with `>>> 0`.
 */
export type NTSTATUS = number;

/** The operation completed successfully. */
export const STATUS_SUCCESS = 0x0000_0000;
/** The operation will complete later; IoMarkIrpPending must have been called. */
export const STATUS_PENDING = 0x0000_0103;
/** Returned by a completion routine that keeps ownership of the IRP. */
export const STATUS_MORE_PROCESSING_REQUIRED = 0xc000_0016;
/** Returned by a completion routine that lets completion continue (same value as STATUS_SUCCESS). */
export const STATUS_CONTINUE_COMPLETION = 0x0000_0000;
/** Generic failure. */
export const STATUS_UNSUCCESSFUL = 0xc000_0001;
/** The initial status of every PnP IRP; a driver never returns it for an IRP it handles. */
export const STATUS_NOT_SUPPORTED = 0xc000_00bb;
/** The NetDMA docs' "STATUS_RESOURCES" (decision A4). */
export const STATUS_INSUFFICIENT_RESOURCES = 0xc000_009a;
/** The device is not in a state that allows the request. */
export const STATUS_INVALID_DEVICE_STATE = 0xc000_0184;
/** A parameter is invalid. */
export const STATUS_INVALID_PARAMETER = 0xc000_000d;
/** The request is not valid for this device (what an empty MajorFunction slot completes with). */
export const STATUS_INVALID_DEVICE_REQUEST = 0xc000_0010;
/** The second argument was invalid (PoRequestPowerIrp with a MinorFunction it does not send). */
export const STATUS_INVALID_PARAMETER_2 = 0xc000_00f0;
/** The device does not exist (any longer). */
export const STATUS_NO_SUCH_DEVICE = 0xc000_000e;
/** The device is not ready. */
export const STATUS_DEVICE_NOT_READY = 0xc000_00a3;
/** Returned by a wait that timed out. */
export const STATUS_TIMEOUT = 0x0000_0102;

/** A remove lock refuses new acquisitions: IoReleaseRemoveLockAndWait has begun (the device is being removed). */
export const STATUS_DELETE_PENDING = 0xc000_0056;
/** The named object (e.g. a device interface's symbolic link) does not exist. */
export const STATUS_OBJECT_NAME_NOT_FOUND = 0xc000_0034;
/** The object already exists (informational: a device interface registered again returns its existing link). */
export const STATUS_OBJECT_NAME_EXISTS = 0x4000_0000;

/** True for success and informational codes (the C macro `NT_SUCCESS`). */
export function NT_SUCCESS(status: NTSTATUS): boolean {
  return status >>> 0 <= 0x7fff_ffff;
}

/** True when `value` is a number that can be an NTSTATUS (signed or unsigned 32-bit integer). */
export function isNtStatus(value: unknown): value is NTSTATUS {
  return typeof value === 'number' && Number.isInteger(value) && value >= -0x8000_0000 && value <= 0xffff_ffff;
}

const NAMES: ReadonlyMap<number, string> = new Map([
  [STATUS_SUCCESS, 'STATUS_SUCCESS'],
  [STATUS_PENDING, 'STATUS_PENDING'],
  [STATUS_MORE_PROCESSING_REQUIRED, 'STATUS_MORE_PROCESSING_REQUIRED'],
  [STATUS_UNSUCCESSFUL, 'STATUS_UNSUCCESSFUL'],
  [STATUS_NOT_SUPPORTED, 'STATUS_NOT_SUPPORTED'],
  [STATUS_INSUFFICIENT_RESOURCES, 'STATUS_INSUFFICIENT_RESOURCES'],
  [STATUS_INVALID_DEVICE_STATE, 'STATUS_INVALID_DEVICE_STATE'],
  [STATUS_INVALID_PARAMETER, 'STATUS_INVALID_PARAMETER'],
  [STATUS_INVALID_DEVICE_REQUEST, 'STATUS_INVALID_DEVICE_REQUEST'],
  [STATUS_INVALID_PARAMETER_2, 'STATUS_INVALID_PARAMETER_2'],
  [STATUS_NO_SUCH_DEVICE, 'STATUS_NO_SUCH_DEVICE'],
  [STATUS_DEVICE_NOT_READY, 'STATUS_DEVICE_NOT_READY'],
  [STATUS_TIMEOUT, 'STATUS_TIMEOUT'],
  [STATUS_DELETE_PENDING, 'STATUS_DELETE_PENDING'],
  [STATUS_OBJECT_NAME_NOT_FOUND, 'STATUS_OBJECT_NAME_NOT_FOUND'],
  [STATUS_OBJECT_NAME_EXISTS, 'STATUS_OBJECT_NAME_EXISTS'],
]);

/** `STATUS_NAME` for known codes, `0xXXXXXXXX` otherwise. */
export function ntStatusName(status: NTSTATUS): string {
  const u = status >>> 0;
  return NAMES.get(u) ?? `0x${u.toString(16).toUpperCase().padStart(8, '0')}`;
}

