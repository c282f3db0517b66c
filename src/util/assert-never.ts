/**
 * Exhaustiveness for `switch` over a tagged union on hot paths (where ts-pattern's `match` costs
 * an allocation per call): `default: return assertNever(x)` does not compile while a case is missing.
 */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
