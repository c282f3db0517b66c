/**
 * The PnP state diagram drawn from `coverage.transitions` as inline SVG (internal).
 *
 * States are laid out on a fixed circle in order of first appearance in the transition list,
 * and edge labels are placed greedily along their edges to avoid each other, so the same
 * report always gives the same picture. Covered transitions are solid green with their count,
 * uncovered ones dashed grey.
 * @module
 */
import type { TransitionCoverage } from './schema';

/** Escapes text for HTML/SVG content and attribute values. */
export type Escape = (s: string) => string;

interface Point {
  x: number;
  y: number;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface Node extends Point {
  name: string;
  label: string;
  hw: number;
  hh: number;
  covered: boolean;
}

const NODE_H = 30;
const STATE_CHAR_W = 7.4;
const LABEL_CHAR_W = 6.4;
const LABEL_H = 14;
const MAX_STATE_CHARS = 26;
const MAX_EVENT_CHARS = 30;
const PAD = 16;

function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** Point where the ray from the node's centre in direction (dx, dy) leaves its box, plus a gap. */
function boundary(node: Node, dx: number, dy: number, gap: number): Point {
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const tx = ux === 0 ? Infinity : node.hw / Math.abs(ux);
  const ty = uy === 0 ? Infinity : node.hh / Math.abs(uy);
  const t = Math.min(tx, ty) + gap;
  return { x: node.x + ux * t, y: node.y + uy * t };
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

function boxAt(p: Point, w: number, h: number): Box {
  return { x0: p.x - w / 2, y0: p.y - h / 2, x1: p.x + w / 2, y1: p.y + h / 2 };
}

/** States in order of first appearance (`from` before `to`). */
export function statesOf(transitions: readonly TransitionCoverage[]): string[] {
  const seen = new Set<string>();
  for (const t of transitions) {
    seen.add(t.from);
    seen.add(t.to);
  }
  return [...seen];
}

/** The diagram's label for an event: the IRP minor code without its `IRP_MN_` prefix, shortened. */
export function edgeLabel(t: TransitionCoverage): string {
  const name = truncate(t.event.replace(/^IRP_MN_/, ''), MAX_EVENT_CHARS);
  return t.covered > 0 ? `${name} ×${t.covered}` : name;
}

interface Edge {
  t: TransitionCoverage;
  index: number;
  path: string;
  /** Points along the edge where its label may go, best first. */
  spots: Point[];
}

/** Renders the state diagram; returns an `<svg>` element as a string. */
export function stateDiagramSvg(transitions: readonly TransitionCoverage[], esc: Escape): string {
  const names = statesOf(transitions);
  const index = new Map(names.map((s, i) => [s, i]));
  const coveredStates = new Set<string>();
  for (const t of transitions) {
    if (t.covered > 0) {
      coveredStates.add(t.from);
      coveredStates.add(t.to);
    }
  }
  const labels = names.map((s) => truncate(s, MAX_STATE_CHARS));
  const widths = labels.map((l) => Math.max(70, Array.from(l).length * STATE_CHAR_W + 26));
  const maxW = Math.max(70, ...widths);
  const count = names.length;
  const radius = count <= 1 ? 0 : Math.max(240, count * 44, (count * (maxW + 60)) / (2 * Math.PI));
  const nodes = new Map<string, Node>();
  names.forEach((name, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, count);
    nodes.set(name, {
      name,
      label: labels[i]!,
      x: radius * Math.cos(angle),
      y: radius * Math.sin(angle),
      hw: widths[i]! / 2,
      hh: NODE_H / 2,
      covered: coveredStates.has(name),
    });
  });

  // Group edges between the same two states so parallel ones curve apart.
  const pairs = new Map<string, { t: TransitionCoverage; index: number }[]>();
  const loops = new Map<string, { t: TransitionCoverage; index: number }[]>();
  transitions.forEach((t, i) => {
    const target = t.from === t.to ? loops : pairs;
    const a = index.get(t.from)!;
    const b = index.get(t.to)!;
    const key = t.from === t.to ? t.from : a < b ? `${a}:${b}` : `${b}:${a}`;
    const list = target.get(key) ?? [];
    list.push({ t, index: i });
    target.set(key, list);
  });

  const edges: Edge[] = [];
  const ts = [0.5, 0.4, 0.6, 0.32, 0.68, 0.25, 0.75];
  for (const list of pairs.values()) {
    const first = list[0]!.t;
    const [lo, hi] = index.get(first.from)! < index.get(first.to)! ? [first.from, first.to] : [first.to, first.from];
    const A = nodes.get(lo)!;
    const B = nodes.get(hi)!;
    const dx = B.x - A.x;
    const dy = B.y - A.y;
    const len = Math.hypot(dx, dy) || 1;
    const nx = -dy / len;
    const ny = dx / len;
    const m = list.length;
    list.forEach(({ t, index: i }, k) => {
      // A single edge between two states is straight; two or more bow apart symmetrically.
      const offset = m === 1 ? 0 : (k - (m - 1) / 2) * 46;
      const from = nodes.get(t.from)!;
      const to = nodes.get(t.to)!;
      const c = { x: (A.x + B.x) / 2 + nx * offset * 2, y: (A.y + B.y) / 2 + ny * offset * 2 };
      const p0 = boundary(from, c.x - from.x, c.y - from.y, 2);
      const p2 = boundary(to, c.x - to.x, c.y - to.y, 6);
      const at = (s: number): Point => ({
        x: (1 - s) ** 2 * p0.x + 2 * (1 - s) * s * c.x + s ** 2 * p2.x,
        y: (1 - s) ** 2 * p0.y + 2 * (1 - s) * s * c.y + s ** 2 * p2.y,
      });
      edges.push({ t, index: i, path: `M${n(p0.x)},${n(p0.y)} Q${n(c.x)},${n(c.y)} ${n(p2.x)},${n(p2.y)}`, spots: ts.map(at) });
    });
  }
  for (const [state, list] of loops) {
    const node = nodes.get(state)!;
    let ux = node.x;
    let uy = node.y;
    const len = Math.hypot(ux, uy);
    if (len < 1e-6) {
      ux = 0;
      uy = -1;
    } else {
      ux /= len;
      uy /= len;
    }
    const px = -uy;
    const py = ux;
    list.forEach(({ t, index: i }, k) => {
      const reach = 50 + k * 30;
      const spread = 12 + k * 4;
      const base = boundary(node, ux, uy, 0);
      const p0 = { x: base.x + px * spread, y: base.y + py * spread };
      const p2 = { x: base.x - px * spread, y: base.y - py * spread };
      const c1 = { x: p0.x + ux * reach + px * reach * 0.6, y: p0.y + uy * reach + py * reach * 0.6 };
      const c2 = { x: p2.x + ux * reach - px * reach * 0.6, y: p2.y + uy * reach - py * reach * 0.6 };
      const apex = { x: base.x + ux * (reach * 0.75 + 10), y: base.y + uy * (reach * 0.75 + 10) };
      const spots = [0, 12, -12, 24, -24].map((d) => ({ x: apex.x + px * d + ux * Math.abs(d) * 0.3, y: apex.y + py * d + uy * Math.abs(d) * 0.3 }));
      edges.push({
        t,
        index: i,
        path: `M${n(p0.x)},${n(p0.y)} C${n(c1.x)},${n(c1.y)} ${n(c2.x)},${n(c2.y)} ${n(p2.x)},${n(p2.y)}`,
        spots,
      });
    });
  }
  edges.sort((a, b) => a.index - b.index);

  // Place labels greedily (covered edges first), avoiding nodes and labels already placed.
  const taken: Box[] = [...nodes.values()].map((nd) => ({ x0: nd.x - nd.hw - 2, y0: nd.y - nd.hh - 2, x1: nd.x + nd.hw + 2, y1: nd.y + nd.hh + 2 }));
  const placed = new Map<number, { p: Point; w: number; text: string }>();
  const order = [...edges].sort((a, b) => Number(b.t.covered > 0) - Number(a.t.covered > 0) || a.index - b.index);
  for (const e of order) {
    const text = edgeLabel(e.t);
    const w = Array.from(text).length * LABEL_CHAR_W + 8;
    let best = e.spots[0]!;
    let bestCost = Infinity;
    for (const spot of e.spots) {
      const box = boxAt(spot, w, LABEL_H);
      const cost = taken.reduce((sum, b) => sum + overlap(box, b), 0);
      if (cost < bestCost) {
        best = spot;
        bestCost = cost;
        if (cost === 0) break;
      }
    }
    taken.push(boxAt(best, w, LABEL_H));
    placed.set(e.index, { p: best, w, text });
  }

  // Fit the view box around everything drawn.
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const grow = (b: Box) => {
    x0 = Math.min(x0, b.x0);
    y0 = Math.min(y0, b.y0);
    x1 = Math.max(x1, b.x1);
    y1 = Math.max(y1, b.y1);
  };
  taken.forEach(grow);
  for (const e of edges) for (const m of e.path.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) grow(boxAt({ x: Number(m[1]), y: Number(m[2]) }, 4, 4));
  const vx = x0 - PAD;
  const vy = y0 - PAD;
  const width = x1 - x0 + 2 * PAD;
  const height = y1 - y0 + 2 * PAD;

  const out: string[] = [];
  out.push(
    `<svg id="pnp-diagram" class="pnp-diagram" xmlns="http://www.w3.org/2000/svg" viewBox="${n(vx)} ${n(vy)} ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}" role="img" aria-labelledby="pnp-diagram-title">`,
  );
  out.push('<title id="pnp-diagram-title">PnP state machine: transitions covered by the run</title>');
  out.push(
    '<defs>' +
      '<marker id="arrow-covered" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1a7f37"/></marker>' +
      '<marker id="arrow-uncovered" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker>' +
      '</defs>',
  );
  // Uncovered edges first so covered ones are drawn on top; labels after all edges.
  const drawOrder = [...edges].sort((a, b) => Number(a.t.covered > 0) - Number(b.t.covered > 0) || a.index - b.index);
  out.push('<g class="edges">');
  for (const e of drawOrder) {
    const covered = e.t.covered > 0;
    const strokeWidth = covered ? 1.6 + Math.min(3, Math.log10(e.t.covered + 1)) : 1.3;
    out.push(
      `<g class="edge ${covered ? 'covered' : 'uncovered'}" data-edge="${e.index}" data-from="${esc(e.t.from)}" data-event="${esc(e.t.event)}" data-to="${esc(e.t.to)}" data-covered="${e.t.covered}">` +
        `<title>${esc(`${e.t.from} --${e.t.event}--> ${e.t.to}: ${covered ? `taken ${e.t.covered} time(s)` : 'never taken'}`)}</title>` +
        `<path d="${e.path}" fill="none" stroke="${covered ? '#1a7f37' : '#8c959f'}" stroke-width="${n(strokeWidth)}"${covered ? '' : ' stroke-dasharray="5 4"'} marker-end="url(#arrow-${covered ? 'covered' : 'uncovered'})"/>` +
        '</g>',
    );
  }
  out.push('</g>');
  out.push('<g class="states">');
  for (const node of nodes.values()) {
    out.push(
      `<g class="state ${node.covered ? 'covered' : 'uncovered'}" data-state="${esc(node.name)}">` +
        `<title>${esc(node.name)}</title>` +
        `<rect x="${n(node.x - node.hw)}" y="${n(node.y - node.hh)}" width="${n(node.hw * 2)}" height="${n(node.hh * 2)}" rx="15" ry="15"/>` +
        `<text x="${n(node.x)}" y="${n(node.y)}" text-anchor="middle" dominant-baseline="central">${esc(node.label)}</text>` +
        '</g>',
    );
  }
  out.push('</g>');
  out.push('<g class="edge-labels">');
  for (const e of drawOrder) {
    const label = placed.get(e.index)!;
    out.push(
      `<g class="edge-label ${e.t.covered > 0 ? 'covered' : 'uncovered'}" data-edge="${e.index}">` +
        `<rect x="${n(label.p.x - label.w / 2)}" y="${n(label.p.y - LABEL_H / 2)}" width="${n(label.w)}" height="${LABEL_H}" rx="3" ry="3"/>` +
        `<text x="${n(label.p.x)}" y="${n(label.p.y)}" text-anchor="middle" dominant-baseline="central">${esc(label.text)}</text>` +
        '</g>',
    );
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
