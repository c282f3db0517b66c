// Faulty provider: see catalog-datapath.ts ('dp-reset-no-reset').
import { faulty } from './faulty';

export default faulty('dp-reset-no-reset');
