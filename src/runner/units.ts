import type { InterfaceVersion } from '../kernel';

/** The properties the runner knows. */
export type PropertyName = 'lifecycle' | 'datapath';

/** One independent piece of a run: a property, an interface version, a chunk of runs with its own seed. */
export interface WorkUnit {
  readonly index: number;
  readonly property: PropertyName;
  readonly interfaceVersion: InterfaceVersion;
  readonly seed: number;
  readonly numRuns: number;
}

/** Runs per unit: small enough to shard well, large enough that shrinking stays within a unit. */
export const CHUNK = 250;

/** The seed of chunk `j` derived from the run's seed (any fixed mixing works; this one is 32-bit). */
export function chunkSeed(seed: number, property: PropertyName, version: InterfaceVersion, j: number): number {
  const p = property === 'lifecycle' ? 1 : 2;
  const v = version === '1.0' ? 10 : version === '1.1' ? 11 : 20;
  return (Math.imul(seed ^ 0x5bd1e995, 31) + p * 1_000_003 + v * 10_007 + j * 0x9e37) | 0;
}

/**
 * Splits a run into units: for each property and interface version, `runs` runs in chunks of
 * {@link CHUNK}. A shard `i/n` takes the units whose index is `i` modulo `n`, so the shards of a run
 * together are exactly the unsharded run.
 */
export function planUnits(properties: readonly PropertyName[], versions: readonly InterfaceVersion[], runs: number, seed: number, shard?: { index: number; count: number }): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (const property of properties) {
    for (const v of versions) {
      for (let j = 0, left = runs; left > 0; j++, left -= CHUNK) {
        units.push({ index: units.length, property, interfaceVersion: v, seed: chunkSeed(seed, property, v, j), numRuns: Math.min(CHUNK, left) });
      }
    }
  }
  return shard ? units.filter((u) => u.index % shard.count === shard.index) : units;
}
