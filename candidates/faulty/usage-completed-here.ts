// Faulty provider: see catalog.ts ('usage-completed-here').
import { faulty } from './faulty';

export default faulty('usage-completed-here');
