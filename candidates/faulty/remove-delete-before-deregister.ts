// Faulty provider: see catalog.ts ('remove-delete-before-deregister').
import { faulty } from './faulty';

export default faulty('remove-delete-before-deregister');
