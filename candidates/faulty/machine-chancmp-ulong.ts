// Faulty provider: see catalog-datapath.ts ('machine-chancmp-ulong').
import { faulty } from './faulty';

export default faulty('machine-chancmp-ulong');
