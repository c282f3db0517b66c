// Faulty provider: see catalog-datapath.ts ('dp-start-skips-null-head').
import { faulty } from './faulty';

export default faulty('dp-start-skips-null-head');
