// Faulty provider: see catalog.ts ('kapi-double-free').
import { faulty } from './faulty';

export default faulty('kapi-double-free');
