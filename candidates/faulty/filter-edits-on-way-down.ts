// Faulty provider: see catalog.ts ('filter-edits-on-way-down').
import { faulty } from './faulty';

export default faulty('filter-edits-on-way-down');
