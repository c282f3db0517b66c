// Faulty provider: see catalog-datapath.ts ('dp-dpc-reports-twice').
import { faulty } from './faulty';

export default faulty('dp-dpc-reports-twice');
