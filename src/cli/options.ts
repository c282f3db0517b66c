import { DEFAULT_REQUIRED_CONFIGURATIONS, requiredConfigurationProblem, type RequiredConfiguration } from '../report/machines';
import * as z from 'zod';
import { REPORT_FORMATS, type ReportFormat } from '../report';

/** A usage error: the CLI prints it with the usage line and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const intString = (what: string, min: number) =>
  z.string().regex(/^-?\d+$/, `${what} must be a whole number`).transform(Number).pipe(z.number().int().min(min, `${what} must be at least ${min}`));

/** `check` options as parsed strings, validated and converted. */
export const CheckArgsSchema = z.object({
  runs: intString('--runs', 1).optional(),
  seed: intString('--seed', -2147483648).pipe(z.number().max(2147483647, '--seed must fit in 32 bits')).optional(),
  replay: z.string().min(1, '--replay needs a token').optional(),
  'interface-version': z
    .enum(['1.0', '1.1', '2.0', 'all'], { message: "--interface-version must be 1.0, 1.1, 2.0 or all" })
    .optional()
    .transform((v) => (v === undefined || v === 'all' ? (['1.0', '1.1', '2.0'] as const) : ([v] as const))),
  'report-dir': z.string().min(1).default('reports'),
  format: z
    .string()
    .default(REPORT_FORMATS.join(','))
    .transform((s, ctx) => {
      const list = s.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = list.filter((x) => !(REPORT_FORMATS as readonly string[]).includes(x));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `--format: unknown format(s) ${bad.join(', ')}; choose from ${REPORT_FORMATS.join(', ')}` });
      return [...new Set(list)] as ReportFormat[];
    }),
  coverage: z.boolean().default(false),
  'min-coverage': z
    .string()
    .regex(/^\d+(\.\d+)?$/, '--min-coverage must be a percentage, e.g. 90')
    .transform(Number)
    .pipe(z.number().max(100, '--min-coverage is a percentage (at most 100)'))
    .optional(),
  /** Machine configurations some run must have used (issue 13): `dimension=value,...` or `default`. */
  'require-config': z
    .string()
    .transform((s, ctx): RequiredConfiguration[] => {
      const out: RequiredConfiguration[] = [];
      let bad = false;
      for (const item of s.split(',').map((x) => x.trim()).filter(Boolean)) {
        if (item === 'default') {
          out.push(...DEFAULT_REQUIRED_CONFIGURATIONS);
          continue;
        }
        const problem = requiredConfigurationProblem(item);
        if (problem !== null) {
          bad = true;
          ctx.addIssue({ code: 'custom', message: `--require-config: ${problem}` });
        }
        else out.push({ dimension: item.slice(0, item.indexOf('=')) as RequiredConfiguration['dimension'], value: item.slice(item.indexOf('=') + 1) });
      }
      if (out.length === 0 && !bad) ctx.addIssue({ code: 'custom', message: '--require-config needs dimension=value items or default' });
      return out;
    })
    .optional(),
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, '--shard must look like i/n, e.g. 1/4 (1-based)')
    .transform((s) => {
      const [i, n] = s.split('/').map(Number) as [number, number];
      return { index: i - 1, count: n };
    })
    .refine((s) => s.count >= 1 && s.index >= 0 && s.index < s.count, '--shard i/n needs 1 <= i <= n')
    .optional(),
  quiet: z.boolean().default(false),
  /** Failed SHOULD rules are warnings (reported, exit 0) instead of failures. */
  'should-warn': z.boolean().default(false),
  /** Stop each work unit at its first failure (the pre-issue-15 behaviour). */
  'fail-fast': z.boolean().default(false),
  'watchdog-ms': intString('--watchdog-ms', 100).optional(),
  'memory-mb': intString('--memory-mb', 64).optional(),
  /** Isolated workers at once (default: the available cores). */
  jobs: intString('--jobs', 1).pipe(z.number().max(256, '--jobs must be at most 256')).optional(),
  /** The waiver file (default: the nearest netdma-conformance.json from the candidate's folder upwards). */
  waivers: z.string().min(1, '--waivers needs a file').optional(),
  /** Ignore any waiver file. */
  'no-waivers': z.boolean().default(false),
});

/** Validated `check` options. */
export type CheckArgs = z.infer<typeof CheckArgsSchema>;

/** Validates raw option values, throwing a {@link UsageError} that names every problem. */
export function parseCheckArgs(raw: Record<string, unknown>): CheckArgs {
  const r = CheckArgsSchema.safeParse(raw);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => i.message).join('; '));
  if (r.data.replay !== undefined && r.data.shard !== undefined) throw new UsageError('--replay reruns one counterexample; it cannot be combined with --shard');
  if (r.data.waivers !== undefined && r.data['no-waivers']) throw new UsageError('--waivers names a waiver file and --no-waivers ignores them: give one of the two');
  if (r.data.replay !== undefined && r.data['fail-fast']) throw new UsageError('--replay reruns one counterexample in one run; --fail-fast does not apply to it');
  return r.data;
}
