/**
 * Types and constants of the general kernel services a WDM function driver calls besides its
 * device's own: remove locks, `Interlocked*` on a `volatile LONG`, kernel timers, interrupt time,
 * `ExAllocatePool2`'s `POOL_FLAGS`, device interfaces and WMI registration (names and values as in
 * wdm.h).
 *
 * @module
 */

/**
 * `IO_REMOVE_LOCK`: driver-allocated storage, kept in the device extension
 * (`ext.RemoveLock = {}`), initialised by IoInitializeRemoveLock. The kernel keeps the count, the
 * removed flag and (as Driver Verifier's remove-lock tracking does) the outstanding tags.
 */
export interface IO_REMOVE_LOCK {
  readonly __brand_io_remove_lock?: never;
}

/** `KTIMER`: driver-allocated storage (`const t: KTIMER = {}`), initialised by KeInitializeTimer(Ex). */
export interface KTIMER {
  readonly __brand_ktimer?: never;
}

/** `TIMER_TYPE` for KeInitializeTimerEx: stays signaled after expiring until set again. */
export const NotificationTimer = 0;
/** `TIMER_TYPE` for KeInitializeTimerEx: a wait satisfied by the expiry resets it. */
export const SynchronizationTimer = 1;

/**
 * A `volatile LONG` the `Interlocked*` routines operate on (`&ext->Count` in C): a box holding a
 * 32-bit signed integer. The routines keep `value` in [-2^31, 2^31) and wrap as the processor does.
 */
export interface VOLATILE_LONG {
  value: number;
}

/** A `volatile LONG64` for the `Interlocked*64` routines: a box holding a signed 64-bit bigint. */
export interface VOLATILE_LONG64 {
  value: bigint;
}

/**
 * `LARGE_INTEGER` as the timer and wait routines take it: a 64-bit count of 100-nanosecond units.
 * Negative means relative to now, positive an absolute system time.
 */
export type LARGE_INTEGER = bigint;

/** `POOL_FLAGS` (ExAllocatePool2): a 64-bit mask. Bits 0-31 are required flags, bits 32-63 optional ones. */
export type POOL_FLAGS = bigint;
/** Charge the allocation to the current process's quota. */
export const POOL_FLAG_USE_QUOTA = 0x0000_0000_0000_0001n;
/** Do not zero the allocation (by default ExAllocatePool2 zeroes it). */
export const POOL_FLAG_UNINITIALIZED = 0x0000_0000_0000_0002n;
/** Session pool. */
export const POOL_FLAG_SESSION = 0x0000_0000_0000_0004n;
/** Align on a processor cache line. */
export const POOL_FLAG_CACHE_ALIGNED = 0x0000_0000_0000_0008n;
/** Raise an exception instead of returning NULL on failure. */
export const POOL_FLAG_RAISE_ON_FAILURE = 0x0000_0000_0000_0020n;
/** Nonpaged, non-executable pool (the pool for anything touched at DISPATCH_LEVEL or above). */
export const POOL_FLAG_NON_PAGED = 0x0000_0000_0000_0040n;
/** Nonpaged executable pool. */
export const POOL_FLAG_NON_PAGED_EXECUTE = 0x0000_0000_0000_0080n;
/** Paged pool: touched only below DISPATCH_LEVEL. */
export const POOL_FLAG_PAGED = 0x0000_0000_0000_0100n;
/** Optional: allocate from special pool when the system can. */
export const POOL_FLAG_SPECIAL_POOL = 0x0000_0001_0000_0000n;

/**
 * A GUID in its registry string form, braces included, upper or lower case:
 * `'{4D36E97D-E325-11CE-BFC1-08002BE10318}'`.
 */
export type GUID = string;

/** IoWMIRegistrationControl: register the device object as a WMI data provider. */
export const WMIREG_ACTION_REGISTER = 1;
/** IoWMIRegistrationControl: deregister it (before IoDeleteDevice). */
export const WMIREG_ACTION_DEREGISTER = 2;
/** IoWMIRegistrationControl: replace its registration information. */
export const WMIREG_ACTION_REREGISTER = 3;
/** IoWMIRegistrationControl: add or remove data blocks. */
export const WMIREG_ACTION_UPDATE_GUIDS = 4;
