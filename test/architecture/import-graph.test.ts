import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyseImportGraph, formatImportGraphReport } from './import-graph';

const SUITE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('import graph', () => {
  it('has no import cycle, no import against the layer order, and no kernel component importing the machine', () => {
    const r = analyseImportGraph(SUITE_ROOT);
    // Printed on every run, so the log shows the graph was read (and how big it is).
    console.log(formatImportGraphReport(r));
    expect(r.files).toBeGreaterThan(100);
    expect(r.cycles.map((c) => c.join(' -> '))).toEqual([]);
    expect(r.layerViolations.map((v) => `${v.from} -> ${v.to}`)).toEqual([]);
    expect(r.unlayered).toEqual([]);
    expect(r.machineImports).toEqual([]);
  });

  it('finds a cycle, an upward import and a kernel component importing the machine in a small tree', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
    try {
      const file = (rel: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), text);
      };
      file('src/model/a.ts', "import type { B } from './b';\nexport type A = B;\n");
      file('src/model/b.ts', "import type { A } from './a';\nexport type B = A | 1;\n");
      file('src/hardware/engine.ts', 'export const E = 1;\n');
      file('src/model/c.ts', "import { E } from '../hardware/engine';\nexport const C = E;\n");
      file('src/kernel/machine/machine.ts', 'export class Machine {}\n');
      file('src/kernel/io/io-manager.ts', "import type { Machine } from '../machine/machine';\nexport type M = Machine;\n");
      const r = analyseImportGraph(root);
      expect(r.cycles).toEqual([['src/model/a.ts', 'src/model/b.ts', 'src/model/a.ts']]);
      expect(r.layerViolations).toEqual([{ from: 'src/model/c.ts', to: 'src/hardware/engine.ts', fromLayer: 'model', toLayer: 'hardware' }]);
      expect(r.machineImports).toEqual(['src/kernel/io/io-manager.ts -> src/kernel/machine/machine.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
