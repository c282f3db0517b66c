// Faulty provider: see catalog.ts ('irp-touches-unhandled-status').
import { faulty } from './faulty';

export default faulty('irp-touches-unhandled-status');
