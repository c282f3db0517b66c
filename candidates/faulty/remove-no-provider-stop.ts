// Faulty provider: see catalog.ts ('remove-no-provider-stop').
import { faulty } from './faulty';

export default faulty('remove-no-provider-stop');
