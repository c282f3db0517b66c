import * as z from 'zod';

/** What a replay token carries: enough to rerun exactly one counterexample in one run. */
export const ReplayTokenSchema = z.object({
  v: z.literal(1),
  /** Which property: 'lifecycle' (PnP/IRP), later 'datapath'. */
  property: z.enum(['lifecycle', 'datapath']),
  interfaceVersion: z.enum(['1.0', '1.1', '2.0']),
  msix: z.boolean(),
  seed: z.number().int(),
  /** fast-check's counterexample path. */
  path: z.string().regex(/^\d+(:\d+)*$/),
});

/** A decoded replay token. */
export type ReplayToken = z.infer<typeof ReplayTokenSchema>;

const PREFIX = 'ndc1.';

/** Encodes a token as `ndc1.<base64url JSON>`: one word, safe in shells and CI logs. */
export function encodeReplayToken(t: ReplayToken): string {
  return PREFIX + Buffer.from(JSON.stringify(ReplayTokenSchema.parse(t))).toString('base64url');
}

/** Decodes a token; throws an Error that says what is wrong with it. */
export function decodeReplayToken(token: string): ReplayToken {
  if (!token.startsWith(PREFIX)) throw new Error(`not a replay token: it must start with '${PREFIX}' (got '${token.slice(0, 12)}…')`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw new Error('replay token is corrupted: its payload is not base64url-encoded JSON');
  }
  const r = ReplayTokenSchema.safeParse(json);
  if (!r.success) throw new Error(`replay token is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
