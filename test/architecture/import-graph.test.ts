import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyseImportGraph, formatImportGraphReport } from './import-graph';

const SUITE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('import graph', () => {
  it('has no import cycle and no import against the layer order', () => {
    const r = analyseImportGraph(SUITE_ROOT);
    // Printed on every run, so the log shows the graph was read (and how big it is).
    console.log(formatImportGraphReport(r));
    expect(r.files).toBeGreaterThan(100);
    expect(r.cycles.map((c) => c.join(' -> '))).toEqual([]);
    expect(r.layerViolations.map((v) => `${v.from} -> ${v.to}`)).toEqual([]);
    expect(r.unlayered).toEqual([]);
  });
});
