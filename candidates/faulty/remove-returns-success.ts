// Faulty provider: see catalog.ts ('remove-returns-success').
import { faulty } from './faulty';

export default faulty('remove-returns-success');
