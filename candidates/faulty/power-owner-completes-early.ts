// Faulty provider: see catalog.ts ('power-owner-completes-early').
import { faulty } from './faulty';

export default faulty('power-owner-completes-early');
