// Faulty provider: see catalog-datapath.ts ('power-no-reinit').
import { faulty } from './faulty';

export default faulty('power-no-reinit');
