import * as z from 'zod';

/**
 * What an `ndc1.` token carries: one counterexample (property, interface version, seed and
 * fast-check path) — but not which candidate it came from. The properties write these; the runner
 * binds them to the candidate as `ndc2.` tokens ({@link bindReplayToken}).
 */
export const ReplayTokenSchema = z.object({
  v: z.literal(1),
  /** Which property: 'lifecycle' (PnP/IRP) or 'datapath'. */
  property: z.enum(['lifecycle', 'datapath']),
  interfaceVersion: z.enum(['1.0', '1.1', '2.0']),
  msix: z.boolean(),
  seed: z.number().int(),
  /** fast-check's counterexample path. */
  path: z.string().regex(/^\d+(:\d+)*$/),
  /**
   * 1: the case's input draws its machine (channels, processors, interrupts, memory; issue 13).
   * Absent in tokens made before: their path means another input now, so they are refused
   * ({@link assertReplayableToken}).
   */
  machine: z.literal(1).optional(),
});

/**
 * What an `ndc2.` token carries: the counterexample of an `ndc1.` token, the rule it showed, and
 * the candidate's identity — its path (as given, relative to the working directory when inside it)
 * and the hash of its source (see `src/runner/candidate-hash.ts`).
 */
export const ReplayTokenV2Schema = ReplayTokenSchema.extend({
  v: z.literal(2),
  /** The rule the counterexample violated when found (absent for a harness error). */
  rule: z.string().min(1).optional(),
  candidate: z.object({
    path: z.string().min(1),
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  }),
});

/** A decoded `ndc1.` token (no candidate identity). */
export type ReplayToken = z.infer<typeof ReplayTokenSchema>;
/** A decoded `ndc2.` token. */
export type ReplayTokenV2 = z.infer<typeof ReplayTokenV2Schema>;

const PREFIX = 'ndc1.';
const PREFIX2 = 'ndc2.';

/** Encodes a case token as `ndc1.<base64url JSON>`: one word, safe in shells and CI logs. */
export function encodeReplayToken(t: ReplayToken): string {
  return PREFIX + Buffer.from(JSON.stringify(ReplayTokenSchema.parse(t))).toString('base64url');
}

/** Encodes a candidate-bound token as `ndc2.<base64url JSON>`. */
export function encodeReplayTokenV2(t: ReplayTokenV2): string {
  return PREFIX2 + Buffer.from(JSON.stringify(ReplayTokenV2Schema.parse(t))).toString('base64url');
}

/** Binds an `ndc1.` case token to a candidate and the rule it showed: the `ndc2.` token a report prints. */
export function bindReplayToken(caseToken: string, candidate: { path: string; hash: string }, rule: string | undefined): string {
  const t = decodeReplayToken(caseToken);
  if (t.v !== 1) return caseToken;
  return encodeReplayTokenV2({ ...t, v: 2, ...(rule !== undefined ? { rule } : {}), candidate: { path: candidate.path, hash: candidate.hash } });
}

/** Decodes an `ndc1.` or `ndc2.` token; throws an Error that says what is wrong with it. */
export function decodeReplayToken(token: string): ReplayToken | ReplayTokenV2 {
  const v2 = token.startsWith(PREFIX2);
  if (!v2 && !token.startsWith(PREFIX)) throw new Error(`not a replay token: it must start with '${PREFIX2}' (or the older '${PREFIX}') (got '${token.slice(0, 12)}…')`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw new Error('replay token is corrupted: its payload is not base64url-encoded JSON');
  }
  const r = v2 ? ReplayTokenV2Schema.safeParse(json) : ReplayTokenSchema.safeParse(json);
  if (!r.success) throw new Error(`replay token is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * Throws an Error saying why when `t` cannot be replayed by this version of the suite: a token made
 * before each run drew its machine (no `machine` field) names a fast-check path into inputs that no
 * longer exist.
 */
export function assertReplayableToken(t: ReplayToken | ReplayTokenV2): void {
  if (t.machine !== 1) {
    throw new Error('the replay token was made by a version of the suite whose runs all used one machine (4 channels, 4 processors, MSI-X, memory below 4 GiB); runs now draw their machine, so the token no longer names the same case: rerun check for a new token');
  }
}
