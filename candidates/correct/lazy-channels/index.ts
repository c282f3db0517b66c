/**
 * lazy-channels: a NetDMA provider for an Intel I/OAT v3-class engine that keeps nothing per
 * channel until NetDMA allocates the channel. See DESIGN.md.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createDriver } from './driver';

/** Each load builds a fresh driver image: every piece of state lives in its closures and device extensions. */
const load: DriverImageLoader = (k) => createDriver(k);
export default load;
