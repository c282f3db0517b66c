// Faulty provider: see catalog-datapath.ts ('dca-binds-current-cpu').
import { faulty } from './faulty';

export default faulty('dca-binds-current-cpu');
