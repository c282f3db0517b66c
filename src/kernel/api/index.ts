/**
 * The candidate-facing API of the simulated kernel: the WDK types, constants and the
 * {@link KernelServices} a driver image receives. Everything a provider may touch is here.
 *
 * @module
 */
export * from './ntstatus';
export * from './irql';
export * from './wdm';
export * from './wdm-services';
export * from './netdma';
export type { KernelServices } from './services';
