// Faulty provider: see catalog-datapath.ts ('dp-isr-stale-descriptor').
import { faulty } from './faulty';

export default faulty('dp-isr-stale-descriptor');
