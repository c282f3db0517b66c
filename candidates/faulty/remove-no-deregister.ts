// Faulty provider: see catalog.ts ('remove-no-deregister').
import { faulty } from './faulty';

export default faulty('remove-no-deregister');
