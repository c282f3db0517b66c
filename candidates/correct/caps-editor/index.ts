/**
 * caps-editor: a NetDMA provider that handles the informational PnP IRPs (capabilities, PnP device state). See DESIGN.md.
 *
 * @module
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createDriver } from './driver';

const load: DriverImageLoader = (k) => createDriver(k);
export default load;
