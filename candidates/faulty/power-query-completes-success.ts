// Faulty provider: see catalog.ts ('power-query-completes-success').
import { faulty } from './faulty';

export default faulty('power-query-completes-success');
