/**
 * Waivers: a team's checked-in decision to accept the failure of a rule for its driver, with a
 * written reason — as the HLK has errata. The file (default name {@link WAIVER_FILE_NAME}) is
 * `{ "waivers": [ { "rule": "PNP-START-12", "reason": "…", "expires": "2027-06-30" } ] }`, validated
 * strictly ({@link parseWaiverFile}). A waived rule's failure is never a pass: the report gives it
 * status `waived`, with the reason and the same counterexample and replay token as any failure,
 * and the verdict reads "conformant with N waivers" when every failing rule is waived.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { isRuleId } from '../../spec';
import type { ReportWaiver, ReportWaivers, RuleResult } from './schema';

/** The name the waiver file is looked for by, from the candidate's folder upwards. */
export const WAIVER_FILE_NAME = 'netdma-conformance.json';

/** `YYYY-MM-DD` that is a real calendar day. */
const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expires is a date written YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return Number.isFinite(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'expires is not a calendar day');

/** One waiver as written in the file. Unknown keys are rejected. */
export const WaiverEntrySchema = z.strictObject({
  /** The rule id waived, e.g. `PNP-START-12`. */
  rule: z.string().min(1, 'rule is empty'),
  /** Why the team waives it: non-empty text (shown in every report). */
  reason: z.string().refine((r) => r.trim().length > 0, 'reason is empty: a waiver needs a written reason'),
  /** The last day (UTC) the waiver applies; after it the rule fails again. */
  expires: DateSchema.optional(),
});

/** The waiver file. Unknown keys are rejected (`$schema` and `$comment` are allowed for editors). */
export const WaiverFileSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  waivers: z.array(WaiverEntrySchema),
});

/** One waiver, validated. */
export type WaiverEntry = z.infer<typeof WaiverEntrySchema>;

/** A validated waiver file: where it was, the hash of its bytes, its entries in file order. */
export interface WaiverSet {
  /** The file as found (as given, or relative to the working directory when found by search). */
  readonly file: string;
  /** `sha256:<hex>` of the file's bytes. */
  readonly sha256: string;
  readonly entries: readonly WaiverEntry[];
}

/** A waiver file that is malformed: exit code 2, with the file, the entry and the problem named. */
export class WaiverFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaiverFileError';
  }
}

/** `sha256:<hex>` of the file's bytes. */
export function waiverFileHash(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Validates a waiver file's text. Throws {@link WaiverFileError} naming the file, the entry
 * (`waivers[2] (PNP-START-12)`) and the problem: malformed JSON, an unknown key, an empty reason, a
 * malformed date, a rule id the catalog does not have, or a rule waived twice.
 */
export function parseWaiverFile(content: string | Uint8Array, file: string, isKnownRule: (id: string) => boolean = isRuleId): WaiverSet {
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new WaiverFileError(`waiver file ${file}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = WaiverFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [head, index] = issue.path;
    let where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    if (head === 'waivers' && typeof index === 'number') {
      const raw = (json as { waivers: unknown[] }).waivers[index];
      const rule = typeof raw === 'object' && raw !== null && typeof (raw as { rule?: unknown }).rule === 'string' ? ` (${(raw as { rule: string }).rule})` : '';
      where = `waivers[${index}]${rule}${issue.path.length > 2 ? ` ${issue.path.slice(2).map(String).join('.')}` : ''}`;
    }
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (a waiver has rule, reason and expires)` : issue.message;
    throw new WaiverFileError(`waiver file ${file}: ${where}: ${message}`);
  }
  const seen = new Map<string, number>();
  parsed.data.waivers.forEach((w, i) => {
    if (!isKnownRule(w.rule)) throw new WaiverFileError(`waiver file ${file}: waivers[${i}] (${w.rule}): unknown rule id ${w.rule}: the catalog (spec/RULES.md) has no such rule`);
    const first = seen.get(w.rule);
    if (first !== undefined) throw new WaiverFileError(`waiver file ${file}: waivers[${i}] (${w.rule}): ${w.rule} is waived twice (also waivers[${first}]); keep one entry per rule`);
    seen.set(w.rule, i);
  });
  return { file, sha256: waiverFileHash(content), entries: parsed.data.waivers };
}

/** Whether the waiver has expired on `day` (`YYYY-MM-DD`, UTC): `expires` is the last day it applies. */
export function waiverExpired(w: Pick<WaiverEntry, 'expires'>, day: string): boolean {
  return w.expires !== undefined && day > w.expires;
}

/**
 * Applies a waiver file to a run's rule results: each failed rule with a waiver that has not expired
 * on `day` becomes `waived` (failure kept, waiver added). Returns the rules and the report's
 * `waivers` section (every entry with its state); without a file, the rules unchanged.
 */
export function applyWaivers(
  rules: readonly RuleResult[],
  set: WaiverSet | undefined,
  day: string,
): { rules: RuleResult[]; waivers?: ReportWaivers } {
  if (set === undefined) return { rules: [...rules] };
  const active = new Map(set.entries.filter((w) => !waiverExpired(w, day)).map((w) => [w.rule, w]));
  const out = rules.map((r): RuleResult => {
    const w = active.get(r.id);
    if (r.status !== 'fail' || w === undefined) return r;
    return { ...r, status: 'waived', waiver: { reason: w.reason, ...(w.expires !== undefined ? { expires: w.expires } : {}) } };
  });
  const waived = new Set(out.filter((r) => r.status === 'waived').map((r) => r.id));
  const entries = set.entries.map((w): ReportWaiver => ({
    rule: w.rule,
    reason: w.reason,
    ...(w.expires !== undefined ? { expires: w.expires } : {}),
    state: waiverExpired(w, day) ? 'expired' : waived.has(w.rule) ? 'applied' : 'unused',
  }));
  return { rules: out, waivers: { file: set.file, sha256: set.sha256, entries } };
}

/** The waiver set a report records (to re-apply after a merge). */
export function waiverSetOf(w: ReportWaivers): WaiverSet {
  return { file: w.file, sha256: w.sha256, entries: w.entries.map(({ rule, reason, expires }) => ({ rule, reason, ...(expires !== undefined ? { expires } : {}) })) };
}
