// Faulty provider: see catalog.ts ('power-notify-after-pass-down').
import { faulty } from './faulty';

export default faulty('power-notify-after-pass-down');
