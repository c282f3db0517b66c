// Faulty provider: see catalog.ts ('remove-stop-after-deregister').
import { faulty } from './faulty';

export default faulty('remove-stop-after-deregister');
