// Faulty provider: see catalog-datapath.ts ('dp-dpc-null-then-faulting').
import { faulty } from './faulty';

export default faulty('dp-dpc-null-then-faulting');
