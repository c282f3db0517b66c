// Faulty provider: see catalog-datapath.ts ('dca-context-change-as-null').
import { faulty } from './faulty';

export default faulty('dca-context-change-as-null');
