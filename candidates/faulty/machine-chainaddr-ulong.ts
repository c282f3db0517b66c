// Faulty provider: see catalog-datapath.ts ('machine-chainaddr-ulong').
import { faulty } from './faulty';

export default faulty('machine-chainaddr-ulong');
