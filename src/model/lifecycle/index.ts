/** The executable model of the PnP/IRP contract and the NetDMA provider lifecycle. */
export { ADDED, PNP_STATES, inSpecialPath, notifiesPower, type DeviceModel, type ModelContext, type PnpState } from './pnp-state';
export { EVENT_TYPES, PNP_QUERIES, eventLabel, mustNotHandle, queryLabel, specialFileIndex, type BusAnswer, type LifecycleEvent, type LifecycleEventType, type PnpQuery, type SpecialFile } from './events';
export { allTransitions, isLegal, legalEvents, nextRemovalEvent, nextState, transitionKey, type Transition } from './transitions';
export { judge, succeeded, type Finding } from './expectations';
export type { IrpOutcome, Observation, ObservationOp } from './observation';
