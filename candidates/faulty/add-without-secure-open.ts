// Faulty provider: see catalog.ts ('add-without-secure-open').
import { faulty } from './faulty';

export default faulty('add-without-secure-open');
