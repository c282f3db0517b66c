/**
 * remove-lock: a NetDMA provider whose FDO is guarded by an IO_REMOVE_LOCK and an outstanding-
 * request count (see DESIGN.md). Its default export is a {@link DriverImageLoader}.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createRemoveLockDriver } from './driver';

const load: DriverImageLoader = (k) => createRemoveLockDriver(k);
export default load;
