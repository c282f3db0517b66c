// Faulty provider: see catalog-datapath.ts ('dp-dpc-null-when-idle').
import { faulty } from './faulty';

export default faulty('dp-dpc-null-when-idle');
