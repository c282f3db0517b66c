/**
 * `netdma-conformance/vitest` honours the team's waiver file: a candidate whose only failing rule is
 * waived in the nearest netdma-conformance.json passes its tests (the failure is printed as waived),
 * as `check` is conformant with 1 waiver. Without the waiver file these tests would fail with
 * PNP-CSTOP-01 (test/cli/waivers.test.ts shows the same candidate nonconformant with --no-waivers).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { conformanceSuite } from '../../src/vitest';

const root = mkdtempSync(path.join(tmpdir(), 'ndc-vitest-waivers-'));
mkdirSync(path.join(root, 'drivers'));
const candidate = path.join(root, 'drivers', 'waived-provider.ts');
writeFileSync(candidate, `export { default } from ${JSON.stringify(path.resolve(__dirname, '../../candidates/faulty/cancel-stop-fails.ts'))};\n`);
writeFileSync(
  path.join(root, 'netdma-conformance.json'),
  JSON.stringify({ waivers: [{ rule: 'PNP-CSTOP-01', reason: 'the bus driver of this board fails CANCEL_STOP (erratum 12)' }] }),
);

conformanceSuite(candidate, { runs: 250, interfaceVersions: ['1.1'], properties: ['lifecycle'] });
