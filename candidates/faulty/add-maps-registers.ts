// Faulty provider: see catalog.ts ('add-maps-registers').
import { faulty } from './faulty';

export default faulty('add-maps-registers');
