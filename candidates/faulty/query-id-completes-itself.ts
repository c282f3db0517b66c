// Faulty provider: see catalog.ts ('query-id-completes-itself').
import { faulty } from './faulty';

export default faulty('query-id-completes-itself');
