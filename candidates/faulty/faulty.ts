import type { DriverImageLoader } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { Mutation } from '../../src/reference/mutations';
import { createPowerPolicyDriver, isPowerPolicyFaulty } from '../../src/reference/power-policy';

/** A loader for the reference provider with the given bugs switched on. */
export function faulty(...mutations: Mutation[]): DriverImageLoader {
  const set: ReadonlySet<Mutation> = new Set(mutations);
  // The power-policy bugs live in the reference's power-policy layer (power-policy.ts).
  return isPowerPolicyFaulty(set) ? (k) => createPowerPolicyDriver(k, set) : (k) => createReferenceDriver(k, set);
}
