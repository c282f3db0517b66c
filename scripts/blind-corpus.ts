/**
 * Measures the default gate against the blind faulty corpus (`candidates/blind/faulty/`): providers
 * written by authors who read only `../shared`, the candidate API and the reference, each the
 * reference with one realistic bug kept as a patch, without ever running the suite.
 *
 * For each entry of the corpus's `catalog.json` its base provider (the reference, or the folder its
 * `base` names) is copied to `.tmp/blind/<name>/provider/`, the patch applied there, and the CLI's default check run on it
 * (one process per entry, two at a time). The result per entry: verdict, the failing rules and
 * the first failure's message. Whether a rejection is *for the planted bug* is a judgement made
 * by a person against the entry's `bug` and `doc`; the `judged` file (optional, name → `planted` |
 * `other` | reason) records it and the summary counts it.
 *
 * Each check runs `--fail-fast` (the first failure ends its work unit, as every run of the gate did
 * before it searched on past failures): the question is whether the bug is caught, and by which
 * rule first; `--all-rules` runs the default search instead.
 *
 * Usage: `npx tsx scripts/blind-corpus.ts [--corpus DIR] [--only a,b] [--seed N] [--runs N]
 *         [--jobs N] [--out FILE] [--judged FILE] [--all-rules]`
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from 'zod';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One blind faulty provider, as its author recorded it. */
const BlindEntrySchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'names are kebab-case'),
  bug: z.string().min(1),
  area: z.string().min(1),
  doc: z.object({ file: z.string().min(1), quote: z.string().min(1) }),
  facts: z.array(z.string()).default([]),
  shows: z.string().default(''),
  /** The provider folder the patch applies to (default: the reference, `src/reference`). */
  base: z.string().regex(/^[a-z0-9][a-z0-9/._-]*[a-z0-9]$/, 'a repository-relative folder such as candidates/correct/remove-lock').default('src/reference'),
  /**
   * The rules that reject the entry for its planted bug, declared once the suite catches it (the
   * kill matrix's declared rules, for a patch): a rejection by any other rule is reported as such.
   */
  rules: z.array(z.string().regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, 'a rule id such as NDMA-DP-08')).min(1).optional(),
});

/** The corpus catalog. */
const BlindCatalogSchema = z.array(BlindEntrySchema).min(1);

/** A person's judgement of one rejection: rejected for the planted bug, or for something else. */
const JudgedSchema = z.record(z.string(), z.object({ planted: z.boolean(), why: z.string() }));

/** What the gate said about one entry. */
interface BlindResult {
  readonly name: string;
  readonly area: string;
  readonly bug: string;
  readonly verdict: string;
  readonly exitCode: number | null;
  readonly failedRules: readonly string[];
  readonly firstMessage: string;
  readonly runs: number;
  readonly planted?: boolean;
  readonly why?: string;
  /** The entry's declared rules, when it has them. */
  readonly declared?: readonly string[];
  /** Whether a declared rule is among the failed ones (undefined: none declared or not rejected). */
  readonly declaredHit?: boolean;
}

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'candidates/blind/faulty' },
    only: { type: 'string' },
    seed: { type: 'string', default: '20261123' },
    runs: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    out: { type: 'string', default: 'reports/blind-corpus' },
    judged: { type: 'string' },
    'all-rules': { type: 'boolean', default: false },
  },
});

const corpus = resolve(ROOT, values.corpus);
const catalog = BlindCatalogSchema.parse(JSON.parse(readFileSync(join(corpus, 'catalog.json'), 'utf8')));
const only = values.only ? new Set(values.only.split(',')) : undefined;
const judged = values.judged ? JudgedSchema.parse(JSON.parse(readFileSync(resolve(ROOT, values.judged), 'utf8'))) : {};
const entries = catalog.filter((e) => !only || only.has(e.name));
const build = join(ROOT, '.tmp', 'blind');

/**
 * Copies the entry's base provider folder (the reference unless `base` names another), and rewrites
 * every relative import that leaves the folder so that it still reaches the same file from the copy.
 */
function materialize(name: string, baseFolder: string): string {
  const source = join(ROOT, baseFolder);
  const dir = join(build, name, 'provider');
  rmSync(join(build, name), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, { recursive: true });
  const patch = join(corpus, `${name}.patch`);
  if (!existsSync(patch)) throw new Error(`${name}: no ${relative(ROOT, patch)}`);
  const rewrite = (folder: string, from: string): void => {
    for (const f of readdirSync(folder, { withFileTypes: true })) {
      const p = join(folder, f.name);
      if (f.isDirectory()) {
        rewrite(p, join(from, f.name));
        continue;
      }
      if (!/\.[cm]?[jt]s$/.test(f.name)) continue;
      const text = readFileSync(p, 'utf8').replace(/(from\s+|import\s*\(\s*)'(\.{1,2}\/[^']*)'/g, (all, lead: string, spec: string) => {
        const target = resolve(from, spec);
        if (target.startsWith(source + sep) || target === source) return all; // inside the copied folder
        let rel = relative(folder, target).replaceAll('\\', '/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `${lead}'${rel}'`;
      });
      writeFileSync(p, text);
    }
  };
  rewrite(dir, source);
  return dir;
}

function run(cmd: string, args: readonly string[], stdin?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => done({ code, out }));
    child.stdin.end(stdin ?? '');
  });
}

const ReportSliceSchema = z.object({
  verdict: z.string(),
  runs: z.number(),
  rules: z.array(z.object({ id: z.string(), status: z.string(), failure: z.object({ message: z.string() }).optional() })),
});

async function measure(entry: z.infer<typeof BlindEntrySchema>): Promise<BlindResult> {
  const dir = materialize(entry.name, entry.base);
  // Patches were made with `git diff -- <base>` at the repository root: strip a/<base>/.
  const strip = entry.base.split('/').length + 1;
  const applied = await run('patch', [`-p${strip}`, '--quiet', '--forward', '-d', dir], readFileSync(join(corpus, `${entry.name}.patch`), 'utf8'));
  const base = { name: entry.name, area: entry.area, bug: entry.bug, ...judged[entry.name], ...(entry.rules ? { declared: entry.rules } : {}) };
  if (applied.code !== 0) return { ...base, verdict: 'patch-failed', exitCode: applied.code, failedRules: [], firstMessage: applied.out.trim(), runs: 0 };
  const reportDir = join(build, entry.name, 'report');
  const args = ['bin/netdma-conformance.mjs', 'check', relative(ROOT, join(dir, 'index.ts')), '--seed', values.seed!, '--report-dir', reportDir, '--format', 'json', '--quiet', '--jobs', '1'];
  if (values.runs) args.push('--runs', values.runs);
  if (!values['all-rules']) args.push('--fail-fast');
  const checked = await run(process.execPath, args);
  const path = join(reportDir, 'conformance.json');
  if (!existsSync(path)) return { ...base, verdict: 'no-report', exitCode: checked.code, failedRules: [], firstMessage: checked.out.trim().slice(0, 400), runs: 0 };
  const report = ReportSliceSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const failed = report.rules.filter((r) => r.status === 'fail');
  const hit = entry.rules !== undefined && failed.length > 0 ? { declaredHit: failed.some((r) => entry.rules!.includes(r.id)) } : {};
  return {
    ...base,
    ...hit,
    verdict: report.verdict,
    exitCode: checked.code,
    failedRules: failed.map((r) => r.id),
    firstMessage: failed[0]?.failure?.message ?? '',
    runs: report.runs,
  };
}

async function main(): Promise<void> {
  const results: BlindResult[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < entries.length; i = next++) {
      results[i] = await measure(entries[i]!);
      process.stderr.write(`${results[i]!.name}: ${results[i]!.verdict} ${results[i]!.failedRules.join(',')}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.jobs)) }, worker));
  const rejected = results.filter((r) => r.verdict === 'nonconformant');
  // A judgement counts only while the entry is rejected: a judged entry the gate now accepts is not caught.
  const planted = rejected.filter((r) => r.planted === true);
  const declared = rejected.filter((r) => r.declaredHit === true);
  const lines = [
    `# Blind faulty corpus against the default gate`,
    '',
    `seed ${values.seed}${values.runs ? `, ${values.runs} runs` : ', default runs'}; ${results.length} providers; ` +
      `rejected ${rejected.length}/${results.length}; judged rejected for the planted bug ${planted.length}/${results.length}` +
      ` (${results.filter((r) => r.planted !== undefined).length} judged); rejected by a declared rule ${declared.length}/${results.length}` +
      ` (${results.filter((r) => r.declared !== undefined).length} with declared rules).`,
    '',
    '| provider | area | verdict | failed rules | declared rules | for the planted bug | first message |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.area} | ${r.verdict} | ${r.failedRules.join(', ')} | ${r.declared === undefined ? '—' : `${r.declared.join(', ')}${r.declaredHit === true ? ' (fired)' : ''}`} | ${r.verdict !== 'nonconformant' ? '—' : r.planted === undefined ? '?' : r.planted ? 'yes' : `no: ${r.why}`} | ${r.firstMessage.replaceAll('|', '\\|').replaceAll('\n', ' ').slice(0, 160)} |`,
    ),
  ];
  mkdirSync(dirname(resolve(ROOT, values.out!)), { recursive: true });
  writeFileSync(resolve(ROOT, `${values.out}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(resolve(ROOT, `${values.out}.md`), lines.join('\n') + '\n');
  process.stdout.write(lines.slice(0, 3).join('\n') + '\n');
}

await main();
