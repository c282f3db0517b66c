// Faulty provider: see catalog.ts ('irp-pending-without-mark').
import { faulty } from './faulty';

export default faulty('irp-pending-without-mark');
