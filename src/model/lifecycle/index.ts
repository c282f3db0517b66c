/** The executable model of the PnP/IRP contract and the NetDMA provider lifecycle. */
export { ADDED, PNP_STATES, inSpecialPath, notifiesPower, type DeviceModel, type ModelContext, type PnpState } from './pnp-state';
export { EVENT_TYPES, PNP_QUERIES, eventLabel, mustNotHandle, powerDepth, queryLabel, specialFileIndex, type BusAnswer, type DevicePowerName, type LifecycleEvent, type LifecycleEventType, type PnpQuery, type SpecialFile, type SystemSleepState } from './events';
export { allTransitions, endsRun, isLegal, legalEvents, nextRemovalEvent, nextState, transitionKey, type Transition } from './transitions';
export { judgeSystemPower, type SystemPowerOutcome } from './system-power';
export { judge, succeeded, type Finding } from './expectations';
export type { IrpOutcome, Observation, ObservationOp } from './observation';
