import type { DriverImageLoader } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import { LOW_RESOURCE_MUTATIONS, SERVICE_MUTATIONS, type Mutation } from '../../src/reference/mutations';
import { lowResourceBugs } from './low-resources-bugs';
import { createServicesDriver } from '../correct/wdm-services/driver';
import { createRestartShutdown } from '../correct/restart-shutdown';
import { createStartCountDrift } from './long-chain';
import { createPowerPolicyDriver, isPowerPolicyFaulty } from '../../src/reference/power-policy';
import { ENGINE_TIMING_MUTATIONS, engineTimingServices } from './engine-timing';
import { createHistoryFaulty, isHistoryFaulty } from './history-faults';
import { MACHINE_MUTATIONS, machineFaulty } from './machine-faults';

/**
 * A loader for the reference provider with the given bugs switched on; a kernel-service bug
 * (`svc-*`) is switched on in candidates/correct/wdm-services, the reference with those services.
 */
export function faulty(...mutations: Mutation[]): DriverImageLoader {
  const set: ReadonlySet<Mutation> = new Set(mutations);
  if (mutations.some((x) => SERVICE_MUTATIONS.has(x))) return (k) => createServicesDriver(k, set);
  // The low-resources bugs sit between the reference and its kernel services (low-resources-bugs.ts).
  if (mutations.some((x) => LOW_RESOURCE_MUTATIONS.has(x))) return (k) => lowResourceBugs(k, set, (w) => createReferenceDriver(w, set));
  // The machine bugs (issue 13) sit at the reference's register and interrupt services.
  if (mutations.some((x) => MACHINE_MUTATIONS.has(x))) return machineFaulty(set);
  // A START to a started device reaches only a driver that asks for it: the restart-shutdown wrapper.
  if (set.has('restart-keeps-old-resources')) return (k) => createRestartShutdown(k, set);
  // The engine-timing bugs live in the register helpers the reference runs on (engine-timing.ts).
  if (mutations.some((x) => ENGINE_TIMING_MUTATIONS.has(x))) return (k) => createReferenceDriver(engineTimingServices(k, set), set);
  // The history bugs (issue 13) sit on the reference's kernel services (history-faults.ts).
  if (isHistoryFaulty(set)) return (k) => createHistoryFaulty(k, set);
  // A bug that shows only after a long chain of rebalances: a wrapper of the reference (long-chain.ts).
  if (set.has('rebalance-start-count-drift')) return (k) => createStartCountDrift(k, set);
  // The power-policy bugs live in the reference's power-policy layer (power-policy.ts).
  return isPowerPolicyFaulty(set) ? (k) => createPowerPolicyDriver(k, set) : (k) => createReferenceDriver(k, set);
}
