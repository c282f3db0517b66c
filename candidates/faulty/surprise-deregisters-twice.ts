// Faulty provider: see catalog.ts ('surprise-deregisters-twice').
import { faulty } from './faulty';

export default faulty('surprise-deregisters-twice');
