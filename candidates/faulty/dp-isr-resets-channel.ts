// Faulty provider: see catalog-datapath.ts ('dp-isr-resets-channel').
import { faulty } from './faulty';

export default faulty('dp-isr-resets-channel');
