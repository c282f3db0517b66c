// Faulty provider: see catalog-datapath.ts ('machine-isr-four-channels').
import { faulty } from './faulty';

export default faulty('machine-isr-four-channels');
