/**
 * ExAllocatePool2's `POOL_FLAGS`: which pool a request names, and what makes a request invalid.
 * Bits 0-31 are required flags (the pool must understand every one set), bits 32-63 optional ones
 * (ignored when unknown);
 * exactly one pool type — POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE or POOL_FLAG_PAGED — must
 * be named. Windows fails any other request (ExAllocatePool2 returns NULL).
 *
 * @module
 */
import { NonPagedPool, NonPagedPoolNx, PagedPool } from '../api/wdm';
import {
  POOL_FLAG_CACHE_ALIGNED,
  POOL_FLAG_NON_PAGED,
  POOL_FLAG_NON_PAGED_EXECUTE,
  POOL_FLAG_PAGED,
  POOL_FLAG_RAISE_ON_FAILURE,
  POOL_FLAG_SESSION,
  POOL_FLAG_UNINITIALIZED,
  POOL_FLAG_USE_QUOTA,
} from '../api/wdm-services';

/** Every required flag Windows defines. */
const KNOWN_REQUIRED =
  POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED;
const REQUIRED_MASK = 0xffff_ffffn;

/** The outcome of reading a POOL_FLAGS value: the POOL_TYPE it names, or why it is invalid. */
export type PoolFlagsReading =
  | { readonly kind: 'ok'; readonly poolType: number; readonly zeroed: boolean; readonly raiseOnFailure: boolean }
  | { readonly kind: 'invalid'; readonly why: string };

/** Reads ExAllocatePool2's `Flags`. */
export function readPoolFlags(flags: unknown): PoolFlagsReading {
  if (typeof flags !== 'bigint') return { kind: 'invalid', why: `Flags is ${typeof flags}, not a POOL_FLAGS (bigint)` };
  if (flags < 0n || flags > 0xffff_ffff_ffff_ffffn) return { kind: 'invalid', why: 'Flags is outside the 64-bit POOL_FLAGS range' };
  const unknown = flags & REQUIRED_MASK & ~KNOWN_REQUIRED;
  if (unknown !== 0n) return { kind: 'invalid', why: `unknown required flag(s) 0x${unknown.toString(16)} (bits 0-31 are required flags: a POOL_TYPE value such as NonPagedPoolNx is not a POOL_FLAGS)` };
  const types = [POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED].filter((t) => (flags & t) !== 0n);
  if (types.length !== 1) return { kind: 'invalid', why: types.length === 0 ? 'no pool type: exactly one of POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED is required' : 'more than one pool type flag' };
  const t = types[0]!;
  return {
    kind: 'ok',
    poolType: t === POOL_FLAG_PAGED ? PagedPool : t === POOL_FLAG_NON_PAGED_EXECUTE ? NonPagedPool : NonPagedPoolNx,
    zeroed: (flags & POOL_FLAG_UNINITIALIZED) === 0n,
    raiseOnFailure: (flags & POOL_FLAG_RAISE_ON_FAILURE) !== 0n,
  };
}
