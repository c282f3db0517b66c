// Faulty provider: see catalog.ts ('power-notify-on-1-0').
import { faulty } from './faulty';

export default faulty('power-notify-on-1-0');
