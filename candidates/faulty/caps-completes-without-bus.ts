// Faulty provider: see catalog.ts ('caps-completes-without-bus').
import { faulty } from './faulty';

export default faulty('caps-completes-without-bus');
