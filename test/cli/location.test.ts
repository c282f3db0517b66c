import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateLocation } from '../../src/runner/location';

const SUITE = '/suite';
const stack = (...frames: string[]) => ['Error', ...frames.map((f) => `    at ${f}`)].join('\n');

describe('where a violating call was made', () => {
  it('is the innermost frame in the candidate\'s own files, past the kernel', () => {
    const s = stack('Verifier.fail (/suite/src/kernel/core/verifier.ts:72:29)', 'deregister (/work/drv/provider.ts:187:63)', 'x (/work/drv/other.ts:1:1)');
    expect(candidateLocation(s, '/work/drv', SUITE, '/work')).toEqual({ file: path.join('drv', 'provider.ts'), line: 187, column: 63 });
  });

  it('includes driver code the suite bundles (the reference a faulty provider switches bugs on in), never the checker', () => {
    const s = stack(
      'Verifier.fail (/suite/src/kernel/core/verifier.ts:72:29)',
      'run (/suite/properties/lifecycle/run.ts:10:1)',
      'x (/suite/node_modules/fast-check/lib/x.js:1:1)',
      'deregister (/suite/src/reference/driver.ts:187:63)',
    );
    expect(candidateLocation(s, '/suite/candidates/faulty', SUITE, '/suite')).toEqual({ file: path.join('src', 'reference', 'driver.ts'), line: 187, column: 63 });
  });

  it('is undefined when no frame is the candidate\'s', () => {
    expect(candidateLocation(stack('a (/suite/src/kernel/a.ts:1:1)', 'b (node:internal/x:1:1)', 'c (/elsewhere/c.ts:2:2)'), '/work/drv', SUITE)).toBeUndefined();
  });
});
