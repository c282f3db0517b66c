/**
 * Rules the low-resources simulation brings out (Driver Verifier's fault injection in any routine,
 * hardware that fails START): what a provider leaves behind when a fallible call failed. The other
 * checks of a failed call reuse existing rules: KE-IRQL-04 (a spin lock held on return from the
 * failing handler), DRV-UNLOAD-01 (a pool block leaked on an error path), PNP-START-03 (START
 * reported successful although the hardware did not start) and PNP-START-04 (NetDmaProviderStart
 * with a channel whose RESET never completed).
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Low-resources rules (family `low-resources`). */
export const LOW_RESOURCES_RULES = [
  {
    id: 'LOWRES-START-01',
    family: 'low-resources',
    level: 'SHOULD',
    statement:
      'A provider that fails IRP_MN_START_DEVICE itself (a failed allocation, MmMapIoSpace, IoConnectInterruptEx, unreadable configuration space, an engine that does not reset) has released the register mappings and interrupt connections it made for that START when it completes the IRP.',
    sources: {
      facts: ['F105', 'F106'],
      docs: ['wdm-pnp/starting-a-device-in-a-function-driver.md', 'wdm-pnp/starting-a-device.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/starting-a-device-in-a-function-driver.md',
      text: 'The driver should also call **MmUnmapIoSpace** if it must fail the **IRP\\_MN\\_START\\_DEVICE** request.',
    },
  },
  {
    id: 'LOWRES-REM-01',
    family: 'low-resources',
    level: 'MUST',
    statement:
      'Every reference the provider took on its PDO\'s BUS_INTERFACE_STANDARD (the one IRP_MN_QUERY_INTERFACE / IoGetBusInterfaceStandard returns, and each InterfaceReference) is dropped with InterfaceDereference by the time IRP_MN_REMOVE_DEVICE completes, on the error paths of START too.',
    sources: {
      facts: ['F113', 'F111', 'F106'],
      docs: ['wdm-pnp/removing-a-device-in-a-function-driver.md', 'wdm-pnp/handling-an-irp-mn-query-remove-device-request.md', 'wdm-pnp/starting-a-device.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/removing-a-device-in-a-function-driver.md',
      text: 'When removing a device, a function driver must undo any operations it performed to add and start the device.',
    },
  },
] as const satisfies readonly RuleInput[];
