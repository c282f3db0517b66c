// Faulty provider: see catalog-datapath.ts ('dp-no-rearm').
import { faulty } from './faulty';

export default faulty('dp-no-rearm');
