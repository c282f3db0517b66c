/**
 * Writes `spec/sources-index.json` from `../shared/wdk-netdma` (see `spec/sources.ts`).
 *
 * Run `npx tsx spec/generate-sources-index.ts` (or `npm run sources-index`) in a clone that has the
 * shared folder beside it (or with `NETDMA_SHARED_DOCS` naming it), after the folder or a rule's
 * quote changed; it fails, naming them, on quotes its page does not contain. The spec tests compare the committed file
 * with {@link buildSourcesIndex} wherever the folder exists, so it never goes stale.
 *
 * @packageDocumentation
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SHARED_DOCS_URL, SOURCES_INDEX_URL, buildSourcesIndex, hasSharedDocs, serializeSourcesIndex } from './sources';
import { RULES } from './index';
import type { RuleQuote } from './schema';

/** The catalog's quotes, with the rule that carries each: what the index verifies. */
export function catalogQuotes(): { by: string; quote: RuleQuote }[] {
  return RULES.flatMap((r) => (r.quote === undefined ? [] : [{ by: r.id, quote: r.quote }]));
}

/** Writes {@link buildSourcesIndex} of the shared folder to `spec/sources-index.json`; throws without the folder. */
export function writeSourcesIndex(): { facts: number; docs: number; quotes: number } {
  if (!hasSharedDocs()) throw new Error(`${fileURLToPath(SHARED_DOCS_URL)} has no FACTS.md: the index is generated from the shared folder beside the clone`);
  const index = buildSourcesIndex(SHARED_DOCS_URL, catalogQuotes());
  writeFileSync(SOURCES_INDEX_URL, serializeSourcesIndex(index), 'utf8');
  return { facts: Object.keys(index.facts).length, docs: Object.keys(index.docs).length, quotes: Object.values(index.quotes).flat().length };
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  const { facts, docs, quotes } = writeSourcesIndex();
  console.log(`wrote ${fileURLToPath(SOURCES_INDEX_URL)} (${facts} facts, ${docs} files, ${quotes} quotes)`);
}
