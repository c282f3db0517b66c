/**
 * Quotes of the catalog: how a rule's {@link RuleQuote} is compared with the page it cites.
 *
 * A quote and a page are compared after {@link normalizeDocText}: markdown links keep their text,
 * HTML tags, emphasis and code marks and backslash escapes are dropped, the common entities decoded
 * and whitespace collapsed. Where the shared folder is absent, the committed index
 * (`spec/sources-index.json`, field `quotes`) holds, per quoted page, the normalised quotes the
 * generator found in it, so the check runs offline too.
 *
 * @packageDocumentation
 */
import type { RuleQuote } from './schema';

const ENTITIES: Readonly<Record<string, string>> = {
  '&gt;': '>',
  '&lt;': '<',
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

/**
 * The text of a markdown/HTML page (or of a quote) as quotes are compared: links become their text,
 * tags, `*`, `` ` `` and backslash escapes go, entities are decoded, runs of whitespace become one space.
 */
export function normalizeDocText(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .replace(/&(gt|lt|amp|quot|#39|nbsp);/g, (e) => ENTITIES[e] ?? e)
    .replace(/\\([\\`*_{}[\]()#+\-.!<>|])/g, '$1')
    .replace(/[*`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether the quote occurs in the page's text (both normalised). */
export function pageContainsQuote(pageText: string, quote: Pick<RuleQuote, 'text'>): boolean {
  return normalizeDocText(pageText).includes(normalizeDocText(quote.text));
}

/** The quotes the committed index records: quoted page to its normalised quotes, sorted. */
export type QuoteIndex = Readonly<Record<string, readonly string[]>>;

/** Whether the committed index records the quote as verified in its page. */
export function indexContainsQuote(index: QuoteIndex, quote: RuleQuote): boolean {
  return (index[quote.doc] ?? []).includes(normalizeDocText(quote.text));
}
