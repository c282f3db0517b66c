/**
 * `assertNever` lives in `src/util/` (below every layer that dispatches on a tagged union); this
 * re-export keeps the old import path working.
 *
 * @module
 */
export { assertNever } from '../util/assert-never';
