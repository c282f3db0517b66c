// Faulty provider: see catalog.ts ('register-wrong-size').
import { faulty } from './faulty';

export default faulty('register-wrong-size');
