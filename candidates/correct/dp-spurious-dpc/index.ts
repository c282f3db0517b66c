/**
 * dp-spurious-dpc — a NetDMA provider whose ISR only reports and queues, and whose DPC does the
 * bookkeeping from a fresh read of the channel. See DESIGN.md.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { driverImage } from './pnp';

const load: DriverImageLoader = (k) => driverImage(k);
export default load;
