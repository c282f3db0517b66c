// Faulty provider: see catalog-datapath.ts ('stop-masks-interrupts-first').
import { faulty } from './faulty';

export default faulty('stop-masks-interrupts-first');
