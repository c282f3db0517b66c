// Faulty provider: see catalog-datapath.ts ('dp-dpc-wrong-cpu').
import { faulty } from './faulty';

export default faulty('dp-dpc-wrong-cpu');
