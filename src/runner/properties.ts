import { checkDatapath } from '../../properties/datapath/property';
import { checkLifecycle } from '../../properties/lifecycle/property';
import type { PropertyCheckOptions, PropertyCheckResult } from '../../properties/result';
import type { DriverImageLoader } from '../kernel';
import type { PropertyName } from './units';

/** A property the runner can hold a candidate against. */
export type PropertyCheck = (loader: DriverImageLoader, opts: PropertyCheckOptions) => PropertyCheckResult;

/** Every property, by name. */
export const PROPERTY_CHECKS: Partial<Record<PropertyName, PropertyCheck>> = {
  lifecycle: checkLifecycle,
  datapath: (loader, opts) => checkDatapath(loader, opts),
};

/** The properties a default run uses, in order. */
export function availableProperties(): PropertyName[] {
  return (Object.keys(PROPERTY_CHECKS) as PropertyName[]).sort();
}
