// Faulty provider: see catalog.ts ('add-leaves-initializing').
import { faulty } from './faulty';

export default faulty('add-leaves-initializing');
