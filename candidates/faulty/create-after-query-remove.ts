// Faulty provider: see catalog.ts ('create-after-query-remove').
import { faulty } from './faulty';

export default faulty('create-after-query-remove');
