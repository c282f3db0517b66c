// Faulty provider: see catalog.ts ('kapi-throws-on-query-capabilities').
import { faulty } from './faulty';

export default faulty('kapi-throws-on-query-capabilities');
