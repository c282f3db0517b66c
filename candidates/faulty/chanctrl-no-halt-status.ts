// Faulty provider: see catalog-datapath.ts ('chanctrl-no-halt-status').
import { faulty } from './faulty';

export default faulty('chanctrl-no-halt-status');
