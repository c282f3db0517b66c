// Faulty provider: see catalog.ts ('surprise-no-stop').
import { faulty } from './faulty';

export default faulty('surprise-no-stop');
