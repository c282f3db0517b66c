// Faulty provider: see catalog.ts ('channel-cpu-lowest-in-mask').
import { faulty } from './faulty';

export default faulty('channel-cpu-lowest-in-mask');
