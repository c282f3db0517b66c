/**
 * System power rules: the system power IRPs (IRP_MN_QUERY_POWER / IRP_MN_SET_POWER for S1–S5)
 * and the FDO as its device's power-policy owner, turning them into device power IRPs with
 * PoRequestPowerIrp (family `power`). The saved NetDMA and WDM pages say nothing about system
 * power IRPs (A12), so both rules are DERIVED: they state what Windows' power manager needs of
 * a function driver, and accept both designs — the FDO as policy owner, and an FDO that passes
 * system IRPs down and leaves the device IRPs to the stack's policy owner (today's harness).
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** System power rules (family `power`). */
export const SYSTEM_POWER_RULES = [
  {
    id: 'PWR-10',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The FDO that requests a device power IRP with PoRequestPowerIrp while it holds a system IRP_MN_SET_POWER completes that system IRP only after the device power IRP it requested has completed.',
    sources: {
      facts: ['F50', 'F103'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A12'],
    reading:
      'The saved pages never name the power-policy owner (A12). In WDM the FDO normally owns its device\'s power policy: on a system IRP_MN_SET_POWER it requests the matching device IRP (D3 for S1–S5, D0 for S0) with PoRequestPowerIrp and completes the system IRP from that IRP\'s completion function. The power manager takes the completed system IRP as "this device has reached the state the system needs" and goes on (to sleep, or back to work); completing it while the device IRP is still in flight lets the system sleep with the device powered, or resume while it is still in D3. An FDO that passes the system IRP down without requesting a device IRP is not the policy owner for that transition and is not held to this rule (the stack\'s owner then sends the device IRPs).',
  },
  {
    id: 'PWR-11',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The FDO grants a system IRP_MN_QUERY_POWER by passing it down and letting it complete with the lower drivers\' status, or refuses it by completing it with an error status without passing it down.',
    sources: {
      facts: ['F51', 'F103', 'F108'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'wdm-pnp/passing-pnp-irps-down-the-device-stack.md',
        'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: ['A12'],
    reading:
      'A system query asks every driver in the stack whether the system may sleep; it is answered as the PnP queries are (F108): a driver that cannot sleep (a 1.0 provider keeping the engine available in the paging path, F51) fails it, and Windows then cancels the transition (it sends IRP_MN_SET_POWER for S0); a driver that can sleep passes it down, and a lower driver may still refuse. Succeeding the query without asking the lower drivers, or turning their refusal into success, would let the system sleep under a driver that said it cannot.',
  },
] as const satisfies readonly RuleInput[];
