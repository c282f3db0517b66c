// Faulty provider: see catalog-datapath.ts ('dp-no-null-after-error').
import { faulty } from './faulty';

export default faulty('dp-no-null-after-error');
