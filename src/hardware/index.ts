/**
 * Public surface of the simulated I/OAT-class copy engine.
 *
 * Deliberately narrow: the engine (`IoatEngine`), simulated physical memory, the shared
 * register and descriptor constants, fault plans and the event types. Channel internals
 * (`channel.ts`, `commands.ts`, `dma.ts`, `status.ts`, `interrupts.ts`) stay private.
 *
 * @module
 */
export { IoatEngine, MmioAccessError } from './engine';
export type { EngineConfig, MmioWidth } from './engine';
export type { ChannelSnapshot, ChainMode } from './channel';
export type { EngineStepEvent, EngineNotice, Segment, CompletionWrite, CompletedDescriptorFields } from './events';
export type { InterruptOutcome } from './interrupts';
export { PhysicalMemory, PhysicalMemoryError, WriteLog, hex } from './memory';
export type { PhysicalMemoryOptions, MemoryWriteRecord, MemoryWriter, PhysicalRange } from './memory';
export { NO_FAULTS, faultPlan, DESCRIPTOR_FAULT_CHANERR } from './faults';
export type { FaultPlan, FaultRule, FaultContext, DescriptorFaultKind, DescriptorSelector } from './faults';
export * from './registers';
export * from './hw';
export { PCI_CONFIG, PCI_CAP_ID_MSIX } from './pci';
