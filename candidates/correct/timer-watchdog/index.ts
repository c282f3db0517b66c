/**
 * timer-watchdog: a NetDMA provider with a per-device channel watchdog (KTIMER + KDPC). See DESIGN.md.
 *
 * @module
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createDriver } from './driver';

const load: DriverImageLoader = (k) => createDriver(k);
export default load;
