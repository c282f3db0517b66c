// Faulty provider: see catalog-datapath.ts ('dp-append-no-command').
import { faulty } from './faulty';

export default faulty('dp-append-no-command');
