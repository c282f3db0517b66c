import type { DriverImageLoader } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { Mutation } from '../../src/reference/mutations';

/** A loader for the reference provider with the given bugs switched on. */
export function faulty(...mutations: Mutation[]): DriverImageLoader {
  const set: ReadonlySet<Mutation> = new Set(mutations);
  return (k) => createReferenceDriver(k, set);
}
