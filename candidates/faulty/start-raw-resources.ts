// Faulty provider: see catalog.ts ('start-raw-resources').
import { faulty } from './faulty';

export default faulty('start-raw-resources');
