// Faulty provider: see catalog-datapath.ts ('dp-suspend-reports-head').
import { faulty } from './faulty';

export default faulty('dp-suspend-reports-head');
