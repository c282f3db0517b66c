// Faulty provider: see catalog.ts ('query-remove-not-supported').
import { faulty } from './faulty';

export default faulty('query-remove-not-supported');
