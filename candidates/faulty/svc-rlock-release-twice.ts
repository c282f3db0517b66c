// Faulty provider: see catalog.ts ('svc-rlock-release-twice').
import { faulty } from './faulty';

export default faulty('svc-rlock-release-twice');
