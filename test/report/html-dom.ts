/** A tiny DOM helper over parse5 (the WHATWG HTML parser) for checking conformance.html. */
import { parse } from 'parse5';

export interface HtmlNode {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: HtmlNode[];
  content?: HtmlNode;
  value?: string;
}

/** Parses a whole document. */
export function parseHtml(html: string): HtmlNode {
  return parse(html) as unknown as HtmlNode;
}

/** All elements in document order. */
export function elements(root: HtmlNode): HtmlNode[] {
  const out: HtmlNode[] = [];
  const walk = (n: HtmlNode) => {
    for (const c of n.childNodes ?? []) {
      if (c.tagName !== undefined) out.push(c);
      walk(c);
    }
    if (n.content !== undefined) walk(n.content);
  };
  walk(root);
  return out;
}

export function attr(el: HtmlNode, name: string): string | undefined {
  return el.attrs?.find((a) => a.name === name)?.value;
}

export function textContent(n: HtmlNode): string {
  if (n.nodeName === '#text') return n.value ?? '';
  return (n.childNodes ?? []).map(textContent).join('');
}

export function byId(root: HtmlNode, id: string): HtmlNode | undefined {
  return elements(root).find((e) => attr(e, 'id') === id);
}

export function select(root: HtmlNode, pred: (e: HtmlNode) => boolean): HtmlNode[] {
  return elements(root).filter(pred);
}

/** What a browser shows for a report string written by the HTML writer. */
export function htmlRoundTrip(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('utf8')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\r\n?/g, '\n');
}
