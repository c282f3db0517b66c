/**
 * policy-owner: the FDO is the device's power-policy owner (system power IRPs become device power
 * IRPs it requests with PoRequestPowerIrp). See DESIGN.md.
 *
 * @module
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createPolicyOwnerDriver } from './driver';

const load: DriverImageLoader = (k) => createPolicyOwnerDriver(k);
export default load;
