/**
 * The reference provider as its device's power-policy owner (issue 12): on a system
 * IRP_MN_SET_POWER it announces PowerDown, requests D3 with PoRequestPowerIrp and passes the system
 * IRP down from the D3 IRP's completion; on the return to S0 it requests D0 on the system IRP's way
 * up and completes it from the D0 IRP's completion (the reference's D0 path re-initializes the
 * engine and announces PowerUp). See DESIGN.md.
 *
 * @module
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createPowerPolicyDriver } from '../../../src/reference/power-policy';

const load: DriverImageLoader = (k) => createPowerPolicyDriver(k, undefined, { owner: true });
export default load;
