// Faulty provider: see catalog.ts ('filter-edits-not-success').
import { faulty } from './faulty';

export default faulty('filter-edits-not-success');
