// Faulty provider: see catalog.ts ('irp-double-complete').
import { faulty } from './faulty';

export default faulty('irp-double-complete');
