// Faulty provider: see catalog.ts ('surprise-deletes-device').
import { faulty } from './faulty';

export default faulty('surprise-deletes-device');
