// Faulty provider: see catalog-datapath.ts ('dp-abort-is-suspend').
import { faulty } from './faulty';

export default faulty('dp-abort-is-suspend');
