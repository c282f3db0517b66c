import { describe, expect, it } from 'vitest';
import { parseCheckArgs } from '../../src/cli/options';
import { DEFAULT_REQUIRED_CONFIGURATIONS } from '../../src/report/machines';

describe('check --require-config', () => {
  it('takes dimension=value items and default', () => {
    expect(parseCheckArgs({ 'require-config': 'channels=16,interrupts=line' })['require-config']).toEqual([
      { dimension: 'channels', value: '16' },
      { dimension: 'interrupts', value: 'line' },
    ]);
    expect(parseCheckArgs({ 'require-config': 'default' })['require-config']).toEqual(DEFAULT_REQUIRED_CONFIGURATIONS);
    expect(parseCheckArgs({})['require-config']).toBeUndefined();
  });

  it('names a bad item and what the dimension takes', () => {
    expect(() => parseCheckArgs({ 'require-config': 'cpus=99' })).toThrow(/--require-config: 'cpus=99': cpus must be 1\.\.64$/);
    expect(() => parseCheckArgs({ 'require-config': 'memory=high' })).toThrow(/below-4GiB or above-4GiB/);
    expect(() => parseCheckArgs({ 'require-config': 'disk=1' })).toThrow(/dimensions: channels, cpus, interrupts, memory, xfercap/);
    expect(() => parseCheckArgs({ 'require-config': ',' })).toThrow(/needs dimension=value items or default/);
  });
});
