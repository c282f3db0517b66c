// Faulty provider: see catalog.ts ('filter-ignores-affinities').
import { faulty } from './faulty';

export default faulty('filter-ignores-affinities');
