// Faulty provider: see catalog.ts ('remove-no-detach').
import { faulty } from './faulty';

export default faulty('remove-no-detach');
