// Faulty provider: see catalog.ts ('channel-cpu-outside-mask').
import { faulty } from './faulty';

export default faulty('channel-cpu-outside-mask');
