// Faulty provider: see catalog.ts ('power-clears-pagable').
import { faulty } from './faulty';

export default faulty('power-clears-pagable');
