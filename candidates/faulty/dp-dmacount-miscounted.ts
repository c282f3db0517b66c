// Faulty provider: see catalog-datapath.ts ('dp-dmacount-miscounted').
import { faulty } from './faulty';

export default faulty('dp-dmacount-miscounted');
