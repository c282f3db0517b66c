// Faulty provider: see catalog.ts ('channel-ignores-interrupt-cpu').
import { faulty } from './faulty';

export default faulty('channel-ignores-interrupt-cpu');
