// Faulty provider: see catalog-datapath.ts ('dp-flagless-gets-defaults').
import { faulty } from './faulty';

export default faulty('dp-flagless-gets-defaults');
