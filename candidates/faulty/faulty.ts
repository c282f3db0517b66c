import type { DriverImageLoader } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import { SERVICE_MUTATIONS, type Mutation } from '../../src/reference/mutations';
import { createServicesDriver } from '../correct/wdm-services/driver';
import { createRestartShutdown } from '../correct/restart-shutdown';
import { createPowerPolicyDriver, isPowerPolicyFaulty } from '../../src/reference/power-policy';
import { MACHINE_MUTATIONS, machineFaulty } from './machine-faults';

/**
 * A loader for the reference provider with the given bugs switched on; a kernel-service bug
 * (`svc-*`) is switched on in candidates/correct/wdm-services, the reference with those services.
 */
export function faulty(...mutations: Mutation[]): DriverImageLoader {
  const set: ReadonlySet<Mutation> = new Set(mutations);
  if (mutations.some((x) => SERVICE_MUTATIONS.has(x))) return (k) => createServicesDriver(k, set);
  // The machine bugs (issue 13) sit at the reference's register and interrupt services.
  if (mutations.some((x) => MACHINE_MUTATIONS.has(x))) return machineFaulty(set);
  // A START to a started device reaches only a driver that asks for it: the restart-shutdown wrapper.
  if (set.has('restart-keeps-old-resources')) return (k) => createRestartShutdown(k, set);
  // The power-policy bugs live in the reference's power-policy layer (power-policy.ts).
  return isPowerPolicyFaulty(set) ? (k) => createPowerPolicyDriver(k, set) : (k) => createReferenceDriver(k, set);
}
