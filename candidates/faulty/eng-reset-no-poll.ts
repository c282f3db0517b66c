// Faulty provider: see catalog-datapath.ts ('eng-reset-no-poll').
import { faulty } from './faulty';

export default faulty('eng-reset-no-poll');
