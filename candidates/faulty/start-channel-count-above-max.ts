// Faulty provider: see catalog.ts ('start-channel-count-above-max').
import { faulty } from './faulty';

export default faulty('start-channel-count-above-max');
