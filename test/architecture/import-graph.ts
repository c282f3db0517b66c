/**
 * The suite's import graph: every relative import (`import`, `import type`, `export … from`,
 * dynamic `import()`) between the TypeScript files of `src/`, `properties/`, `candidates/`,
 * `bench/` and `spec/`, read with the TypeScript compiler's own pre-processor (no type check, no
 * network), with its cycles and its imports against the layer order.
 *
 * Layer order (a file may import its own layer or a lower one, never a higher one):
 *
 * | rank | layer | folders |
 * |---|---|---|
 * | 0 | spec | `spec/` (the rule catalog) |
 * | 1 | base | `src/util/` (assertNever), `src/trace/` (the timeline event type shared by kernel and reports) |
 * | 2 | datasheet | `src/hardware/hw.ts`, `src/hardware/registers.ts`: the engine's descriptor format and register map, constants only, which the model and the engine both follow |
 * | 3 | model | `src/model/` |
 * | 4 | hardware | `src/hardware/` (the rest) |
 * | 5 | kernel | `src/kernel/`, `src/candidate-api.ts` |
 * | 6 | client | `src/client/` (the NetDMA client: tcpip.sys's side of the contract) |
 * | 7 | providers | `src/reference/`, `candidates/` |
 * | 8 | properties | `properties/` |
 * | 9 | tools | `src/runner/`, `src/report/`, `src/cli/`, `src/index.ts`, `src/vitest.ts`, `bench/` |
 * | 10 | tests | every `*.test.ts` (a test may import any layer) |
 *
 * Inside the kernel, one more rule: a component (`src/kernel/<component>/`) never imports the
 * machine (`src/kernel/machine/`); it takes the machine as its own narrow host interface, and only
 * the machine and the kernel's barrel wire components together.
 *
 * Type-only imports count: a cycle of types is still a knot a reader has to untie.
 *
 * @module
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The folders whose files form the graph. */
export const GRAPH_ROOTS = ['src', 'properties', 'candidates', 'bench', 'spec'] as const;

/** One layer of the order, with the path prefixes (relative to the suite root, `/`-separated) it owns. */
export interface Layer {
  readonly rank: number;
  readonly name: string;
  readonly prefixes: readonly string[];
}

/** The layer order, lowest first. */
export const LAYERS: readonly Layer[] = [
  { rank: 0, name: 'spec', prefixes: ['spec/'] },
  { rank: 1, name: 'base', prefixes: ['src/util/', 'src/trace/'] },
  { rank: 2, name: 'datasheet', prefixes: ['src/hardware/hw.ts', 'src/hardware/registers.ts'] },
  { rank: 3, name: 'model', prefixes: ['src/model/'] },
  { rank: 4, name: 'hardware', prefixes: ['src/hardware/'] },
  { rank: 5, name: 'kernel', prefixes: ['src/kernel/', 'src/candidate-api.ts'] },
  { rank: 6, name: 'client', prefixes: ['src/client/'] },
  { rank: 7, name: 'providers', prefixes: ['src/reference/', 'candidates/'] },
  { rank: 8, name: 'properties', prefixes: ['properties/'] },
  { rank: 9, name: 'tools', prefixes: ['src/runner/', 'src/report/', 'src/cli/', 'src/index.ts', 'src/vitest.ts', 'bench/'] },
];

/** Tests sit above every layer: a `*.test.ts` file may import anything (but still not in a cycle). */
export const TESTS_LAYER: Layer = { rank: 10, name: 'tests', prefixes: [] };

/** The layer a file (suite-relative, `/`-separated) belongs to, or undefined. The first matching entry of {@link LAYERS} wins. */
export function layerOf(file: string): Layer | undefined {
  if (file.endsWith('.test.ts')) return TESTS_LAYER;
  return LAYERS.find((l) => l.prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

/** An import that runs up the layer order. */
export interface LayerViolation {
  readonly from: string;
  readonly to: string;
  readonly fromLayer: string;
  readonly toLayer: string;
}

/** The graph and what is wrong with it. */
export interface ImportGraphReport {
  readonly files: number;
  readonly imports: number;
  /** Each cycle as a file path list, first file repeated at the end. */
  readonly cycles: readonly (readonly string[])[];
  readonly layerViolations: readonly LayerViolation[];
  /** Files that belong to no layer. */
  readonly unlayered: readonly string[];
  /** Kernel component files that import the machine (`from -> to`). */
  readonly machineImports: readonly string[];
}

/** Whether a kernel file may import `src/kernel/machine/`: the machine itself and the kernel's barrel. */
function mayImportMachine(file: string): boolean {
  return !file.startsWith('src/kernel/') || file.startsWith('src/kernel/machine/') || file === 'src/kernel/index.ts';
}

function listTs(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listTs(p, out);
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
}

function resolveImport(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, `${base}.mts`, base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Reads the graph under `suiteRoot` and finds its cycles (Tarjan's strongly connected components) and layer violations. */
export function analyseImportGraph(suiteRoot: string): ImportGraphReport {
  const abs: string[] = [];
  for (const r of GRAPH_ROOTS) if (existsSync(path.join(suiteRoot, r))) listTs(path.join(suiteRoot, r), abs);
  const rel = (f: string) => path.relative(suiteRoot, f).split(path.sep).join('/');
  const files = abs.map(rel).sort();
  const edges = new Map<string, string[]>();
  let imports = 0;
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(path.join(suiteRoot, f), 'utf8'), true, true);
    const to = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolveImport(path.join(suiteRoot, f), ref.fileName);
      if (target === undefined) continue;
      const t = rel(target);
      if (files.includes(t)) to.add(t);
    }
    imports += to.size;
    edges.set(f, [...to].sort());
  }
  // Tarjan: every strongly connected component of more than one file (or a self-import) is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let counter = 0;
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) sccs.push(comp.sort());
    }
  };
  for (const f of files) if (!index.has(f)) strong(f);
  // Show each component as one concrete cycle through its first file (a breadth-first shortest path back).
  const cycles = sccs.map((comp) => {
    const inComp = new Set(comp);
    const start = comp[0]!;
    const prev = new Map<string, string>();
    const queue = [start];
    let end: string | undefined;
    while (queue.length && end === undefined) {
      const v = queue.shift()!;
      for (const w of edges.get(v) ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const pathBack: string[] = [];
    for (let v: string | undefined = end; v !== undefined && v !== start; v = prev.get(v)) pathBack.unshift(v);
    return [start, ...pathBack, start];
  });
  const layerViolations: LayerViolation[] = [];
  const unlayered: string[] = [];
  for (const f of files) {
    const lf = layerOf(f);
    if (lf === undefined) {
      unlayered.push(f);
      continue;
    }
    for (const t of edges.get(f) ?? []) {
      const lt = layerOf(t);
      if (lt !== undefined && lt.rank > lf.rank) layerViolations.push({ from: f, to: t, fromLayer: lf.name, toLayer: lt.name });
    }
  }
  const machineImports: string[] = [];
  for (const f of files) {
    if (mayImportMachine(f)) continue;
    for (const t of edges.get(f) ?? []) if (t.startsWith('src/kernel/machine/')) machineImports.push(`${f} -> ${t}`);
  }
  return { files: files.length, imports, cycles, layerViolations, unlayered, machineImports };
}

/** The one-line summary the test prints, then one line per problem. */
export function formatImportGraphReport(r: ImportGraphReport): string {
  const lines = [
    `import graph: ${r.files} files, ${r.imports} imports, ${r.cycles.length} cycles, ${r.layerViolations.length} layer violations, ${r.unlayered.length} unlayered files, ${r.machineImports.length} kernel components importing the machine`,
  ];
  for (const c of r.cycles) lines.push(`  cycle: ${c.join(' -> ')}`);
  for (const v of r.layerViolations) lines.push(`  layer: ${v.from} (${v.fromLayer}) imports ${v.to} (${v.toLayer})`);
  for (const u of r.unlayered) lines.push(`  unlayered: ${u}`);
  for (const m of r.machineImports) lines.push(`  machine: ${m}`);
  return lines.join('\n');
}
