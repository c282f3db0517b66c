// Faulty provider: see catalog.ts ('power-owner-never-completes').
import { faulty } from './faulty';

export default faulty('power-owner-never-completes');
