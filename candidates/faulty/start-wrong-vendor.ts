// Faulty provider: see catalog.ts ('start-wrong-vendor').
import { faulty } from './faulty';

export default faulty('start-wrong-vendor');
