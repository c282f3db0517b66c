// Faulty provider: see catalog.ts ('start-small-max-transfer').
import { faulty } from './faulty';

export default faulty('start-small-max-transfer');
