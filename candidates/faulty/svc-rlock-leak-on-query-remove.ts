// Faulty provider: see catalog.ts ('svc-rlock-leak-on-query-remove').
import { faulty } from './faulty';

export default faulty('svc-rlock-leak-on-query-remove');
