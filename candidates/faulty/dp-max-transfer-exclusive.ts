// Faulty provider: see catalog-datapath.ts ('dp-max-transfer-exclusive').
import { faulty } from './faulty';

export default faulty('dp-max-transfer-exclusive');
