/**
 * The reference NetDMA provider: conforms to every rule in spec/, written only against the
 * candidate API (`src/candidate-api.ts`). Its default export is a {@link DriverImageLoader}.
 *
 * @module
 */
import type { DriverImageLoader } from '../candidate-api';
import { createReferenceDriver } from './driver';

const load: DriverImageLoader = (k) => createReferenceDriver(k);
export default load;
