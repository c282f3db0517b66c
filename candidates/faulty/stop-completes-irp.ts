// Faulty provider: see catalog.ts ('stop-completes-irp').
import { faulty } from './faulty';

export default faulty('stop-completes-irp');
