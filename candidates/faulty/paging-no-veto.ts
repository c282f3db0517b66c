// Faulty provider: see catalog.ts ('paging-no-veto').
import { faulty } from './faulty';

export default faulty('paging-no-veto');
