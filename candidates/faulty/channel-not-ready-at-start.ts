// Faulty provider: see catalog.ts ('channel-not-ready-at-start').
import { faulty } from './faulty';

export default faulty('channel-not-ready-at-start');
