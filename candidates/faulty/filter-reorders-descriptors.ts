// Faulty provider: see catalog.ts ('filter-reorders-descriptors').
import { faulty } from './faulty';

export default faulty('filter-reorders-descriptors');
