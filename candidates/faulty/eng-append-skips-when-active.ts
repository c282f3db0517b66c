// Faulty provider: see catalog-datapath.ts ('eng-append-skips-when-active').
import { faulty } from './faulty';

export default faulty('eng-append-skips-when-active');
