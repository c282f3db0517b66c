// Faulty provider: see catalog-datapath.ts ('dp-start-writes-user-context').
import { faulty } from './faulty';

export default faulty('dp-start-writes-user-context');
