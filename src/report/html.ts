/**
 * `conformance.html`: one self-contained page (inline CSS, a little inline JS, no external
 * resources) for people: verdict banner, key figures, failures with their counterexample
 * timelines and replay commands, rules by family, the PnP state diagram, ambiguity decisions.
 *
 * Every string from the report is escaped; none reaches the inline script.
 * Test hooks: `#verdict` (text = the verdict), rule rows `tr[data-rule-id][data-status]`,
 * failures `article[data-failure-for]` (failed SHOULD rules that are only warnings: in
 * `section#warnings`, with `data-warning="true"`), timeline rows `li[data-kind]`, diagram edges
 * `g.edge[data-from][data-event][data-to][data-covered]`.
 *
 * Why this file is over 400 lines: the page is one template whose sections share the escaping
 * and the test hooks above; it reads top to bottom as the page does.
 * @module
 */
import type { TraceEvent, TraceEventKind } from '../trace/trace-event';
import { bindingLine, breaksWhat, docUrl, groupByFamily, irqlName, isWarning, percent, replayNotice, statusCounts, verdictFailures, verdictSentence, waivedRules, warningFailures, wellFormed } from './common';
import { TRACE_EVENT_KINDS, type ConformanceReport, type RuleFailure, type RuleResult, type RuleStatus } from './schema';
import { stateDiagramSvg } from './svg';
import { machineCoverageLines } from './machines';

/**
 * Escapes text for HTML content and (double- or single-quoted) attribute values. Control
 * characters other than tab/LF/CR are shown as `\uXXXX`; lone surrogates become U+FFFD.
 */
export function escapeHtml(s: string): string {
  return wellFormed(s)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const esc = escapeHtml;

/** Colour of each trace event kind in timelines and legends. */
export const KIND_COLOURS: Readonly<Record<TraceEventKind, string>> = {
  irp: '#8250df',
  call: '#0969da',
  handler: '#1a7f37',
  return: '#57606a',
  register: '#bc4c00',
  engine: '#0a7e8c',
  interrupt: '#9a6700',
  dpc: '#bf3989',
  client: '#3e4fb0',
  violation: '#cf222e',
  note: '#8c959f',
};

const STATUS_LABEL: Readonly<Record<RuleStatus, string>> = { pass: 'pass', fail: 'fail', waived: 'waived', 'not-exercised': 'not exercised' };

/** Makes element ids from arbitrary strings: stable, unique within one page. */
class IdMaker {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, string>();
  make(prefix: string, key: string): string {
    const full = `${prefix}\u0000${key}`;
    const known = this.byKey.get(full);
    if (known !== undefined) return known;
    const slug = key.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'x';
    let id = `${prefix}-${slug}`;
    for (let i = 2; this.used.has(id); i++) id = `${prefix}-${slug}-${i}`;
    this.used.add(id);
    this.byKey.set(full, id);
    return id;
  }
}

const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;--pass:#1a7f37;--fail:#cf222e;--skip:#6e7781;--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:#0969da}
code,pre,.mono{font-family:var(--mono);font-size:13px}
.wrap{max-width:1200px;margin:0 auto;padding:0 24px 48px}
.banner{color:#fff;padding:28px 0 24px;margin-bottom:24px}
.banner.v-conformant{background:linear-gradient(135deg,#1a7f37,#2da44e)}
.banner.v-nonconformant{background:linear-gradient(135deg,#a40e26,#cf222e)}
.banner.v-error{background:linear-gradient(135deg,#424a53,#6e7781)}
.banner .tool{opacity:.85;font-size:13px;letter-spacing:.04em;text-transform:uppercase}
.banner h1{margin:4px 0 6px;font-size:56px;line-height:1.1;letter-spacing:.02em}
#verdict{text-transform:uppercase}
.banner .sentence{font-size:18px;margin:0 0 4px}
.banner .candidate{font-size:15px;opacity:.95;margin:0;overflow-wrap:anywhere}
.banner .candidate code{background:rgba(255,255,255,.18);padding:1px 6px;border-radius:4px;color:#fff}
.notice{border-radius:8px;padding:12px 16px;margin:0 0 16px;overflow-wrap:anywhere}
.notice.incomplete{background:#fff8c5;border:1px solid #d4a72c}
.notice.errors{background:#ffebe9;border:1px solid #ff8182}
.notice pre{white-space:pre-wrap;word-break:break-word;margin:6px 0 0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin-bottom:28px}
.fig{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;overflow-wrap:anywhere}
.fig .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.fig .v{font-size:26px;font-weight:600;line-height:1.2}
.fig .v.small{font-size:16px;font-weight:500}
.fig .sub{font-size:12px;color:var(--muted)}
.fig.warn .v{color:#9a6700}.fig.pass .v{color:var(--pass)}.fig.fail .v{color:var(--fail)}.fig.skip .v{color:var(--skip)}
.bar{display:flex;height:8px;border-radius:4px;overflow:hidden;background:#eaeef2;margin-top:6px}
.bar span{display:block;height:100%}
h2{font-size:22px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:17px;margin:0}
.chip{display:inline-block;font-size:12px;font-weight:600;line-height:18px;padding:0 8px;border-radius:9px;white-space:nowrap;border:1px solid transparent}
.chip.pass{background:#dafbe1;color:#116329;border-color:#aceebb}
.chip.fail{background:#ffebe9;color:#a40e26;border-color:#ffcecb}
.chip.not-exercised{background:#eaeef2;color:#424a53;border-color:#d1d9e0}
.chip.waived{background:#fff8c5;color:#7d4e00;border-color:#eac54f}
.binding{margin:.3em 0;color:var(--muted)}
.waiver{margin:.3em 0;padding:.3em .6em;background:#fff8c5;border-left:3px solid #eac54f}
.chip.level{background:#fff;color:var(--muted);border-color:var(--line)}
.chip.level.MUST{color:#a40e26;border-color:#ffcecb}
.chip.level.SHOULD{color:#9a6700;border-color:#f5e0a0}
.chip.level.DERIVED{color:#3e4fb0;border-color:#c8d1f5}
.failure{background:var(--card);border:1px solid #ffcecb;border-left:5px solid var(--fail);border-radius:10px;padding:16px 18px;margin-bottom:20px}
.failure.warning{border-color:#f5e0a0;border-left-color:#bf8700}
.failure.warning .message{color:#7d4e00}
.chip.warning{background:#fff8c5;color:#7d4e00;border-color:#f5e0a0}
.failure header{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.failure .to-rule{margin-left:auto;font-size:13px}
.failure .rid{font-family:var(--mono);font-weight:700;font-size:16px;overflow-wrap:anywhere}
.failure .statement{margin:8px 0 4px;overflow-wrap:anywhere}
.failure .message{margin:4px 0 10px;font-weight:600;color:#a40e26;white-space:pre-wrap;overflow-wrap:anywhere}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 12px;font-size:13px}
.meta dt{color:var(--muted)}.meta dd{margin:0;overflow-wrap:anywhere}
.replay{background:#0d1117;color:#e6edf3;border-radius:8px;padding:10px 12px;margin:10px 0 14px}
.replay .head{display:flex;justify-content:space-between;align-items:center;font-size:12px;color:#9198a1;text-transform:uppercase;letter-spacing:.04em}
.replay pre{margin:6px 0 0;white-space:pre-wrap;word-break:break-all;color:#e6edf3}
.replay .token{font-size:12px;color:#9198a1;margin-top:6px;word-break:break-all}
button.copy{font:inherit;font-size:12px;text-transform:none;letter-spacing:0;background:#21262d;color:#e6edf3;border:1px solid #3d444d;border-radius:6px;padding:2px 10px;cursor:pointer}
button.copy:hover{background:#30363d}
details>summary{cursor:pointer;color:var(--muted);font-size:14px;margin:6px 0}
ol.steps{margin:4px 0 12px;padding-left:36px;font-family:var(--mono);font-size:13px}
ol.steps li{overflow-wrap:anywhere;white-space:pre-wrap}
h4{font-size:14px;margin:12px 0 6px}
ol.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid var(--line)}
ol.timeline li{position:relative;margin:0 0 4px;padding:4px 8px 4px 14px;border-radius:6px;background:#fff}
ol.timeline li::before{content:"";position:absolute;left:-21px;top:10px;width:10px;height:10px;border-radius:50%;background:var(--k);border:2px solid var(--bg)}
ol.timeline li.k-violation{background:#ffebe9}
ol.timeline .row{display:flex;flex-wrap:wrap;gap:6px;align-items:baseline}
ol.timeline .seq{font-family:var(--mono);font-size:12px;color:var(--muted);min-width:34px}
ol.timeline .kind{font-size:11px;font-weight:700;color:#fff;background:var(--k);border-radius:4px;padding:0 6px;text-transform:uppercase;letter-spacing:.03em}
ol.timeline .ctx{font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 5px;font-family:var(--mono)}
ol.timeline .text{font-family:var(--mono);font-size:13px;flex:1 1 420px;overflow-wrap:anywhere;white-space:pre-wrap}
ol.timeline details{margin-left:40px}
ol.timeline details pre{margin:2px 0;white-space:pre-wrap;word-break:break-all;font-size:12px;background:var(--bg);padding:6px;border-radius:4px}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:12px;color:var(--muted);margin:8px 0}
.legend span::before{content:"";display:inline-block;width:10px;height:10px;border-radius:50%;background:var(--k);margin-right:5px;vertical-align:-1px}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:0 0 14px}
.toolbar button{font:inherit;font-size:13px;background:#fff;border:1px solid var(--line);border-radius:16px;padding:3px 12px;cursor:pointer}
.toolbar button[aria-pressed=true]{background:#0969da;color:#fff;border-color:#0969da}
.toolbar input{font:inherit;font-size:13px;border:1px solid var(--line);border-radius:6px;padding:4px 8px;min-width:220px}
.family{background:var(--card);border:1px solid var(--line);border-radius:10px;margin-bottom:16px;overflow:hidden}
.family>header{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:10px 14px;background:#f6f8fa;border-bottom:1px solid var(--line)}
.family>header h3{font-family:var(--mono);overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}
table.rules,table.amb{table-layout:fixed}
table.amb col.c-id{width:130px}table.amb col.c-q{width:42%}
table.rules col.c-id{width:210px}table.rules col.c-level{width:96px}table.rules col.c-status{width:128px}table.rules col.c-num{width:84px}table.rules col.c-src{width:30%}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid #eaeef2;font-size:14px}
th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em;font-weight:600}
td{overflow-wrap:anywhere}
tr.rule td.id{font-family:var(--mono);font-size:13px}
tr.rule.st-fail{background:#fff5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.src code{display:inline-block;background:var(--bg);border:1px solid #eaeef2;border-radius:4px;padding:0 4px;margin:1px 2px 1px 0;font-size:12px}
.src .doc{display:inline-block;margin:1px 6px 1px 0;font-size:13px}
.diagram{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px;overflow:auto}
.pnp-diagram{display:block;margin:0 auto;max-width:100%;height:auto}
.pnp-diagram .state rect{fill:#ddf4ff;stroke:#0969da;stroke-width:1.5}
.pnp-diagram .state.uncovered rect{fill:#f6f8fa;stroke:#8c959f;stroke-dasharray:4 3}
.pnp-diagram .state text{font:600 12px system-ui,sans-serif;fill:#1f2328}
.pnp-diagram .edge-label rect{fill:#fff;fill-opacity:.92}
.pnp-diagram .edge-label text{font-size:10.5px;font-family:var(--mono);fill:#1a7f37}
.pnp-diagram .edge-label.uncovered text{fill:#6e7781}
.pnp-diagram .edge:hover path{stroke-width:4}
.diagram-legend{display:flex;gap:18px;font-size:12px;color:var(--muted);margin:6px 4px}
.diagram-legend .solid{border-top:3px solid #1a7f37;width:28px;display:inline-block;vertical-align:middle;margin-right:6px}
.diagram-legend .dashed{border-top:2px dashed #8c959f;width:28px;display:inline-block;vertical-align:middle;margin-right:6px}
.empty{color:var(--muted);font-style:italic}
footer{margin-top:40px;font-size:12px;color:var(--muted);overflow-wrap:anywhere}
[hidden]{display:none!important}
`;

const SCRIPT = `
(function(){
  function flash(b,t){var old=b.getAttribute('data-label')||b.textContent;b.setAttribute('data-label',old);b.textContent=t;setTimeout(function(){b.textContent=old;},1500);}
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'),function(b){
    b.addEventListener('click',function(){
      var el=document.getElementById(b.getAttribute('data-copy'));if(!el)return;var text=el.textContent||'';
      function fallback(){var r=document.createRange();r.selectNodeContents(el);var s=window.getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand('copy');flash(b,'Copied');}catch(e){flash(b,'Press Ctrl+C');}}
      if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(function(){flash(b,'Copied');},fallback);}else{fallback();}
    });
  });
  var status='all',query='';
  function apply(){
    Array.prototype.forEach.call(document.querySelectorAll('tr[data-rule-id]'),function(tr){
      var okS=status==='all'||tr.getAttribute('data-status')===status;
      var okQ=!query||(tr.textContent||'').toLowerCase().indexOf(query)>=0;
      tr.hidden=!(okS&&okQ);
    });
    Array.prototype.forEach.call(document.querySelectorAll('section.family'),function(f){
      f.hidden=!f.querySelector('tr[data-rule-id]:not([hidden])');
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('.toolbar button[data-filter]'),function(b){
    b.addEventListener('click',function(){
      status=b.getAttribute('data-filter');
      Array.prototype.forEach.call(document.querySelectorAll('.toolbar button[data-filter]'),function(o){o.setAttribute('aria-pressed',String(o===b));});
      apply();
    });
  });
  var q=document.getElementById('rule-search');
  if(q){q.addEventListener('input',function(){query=q.value.trim().toLowerCase();apply();});}
})();
`;

function chip(status: RuleStatus): string {
  return `<span class="chip ${esc(status)}">${esc(STATUS_LABEL[status] ?? status)}</span>`;
}

/** Marks a failed SHOULD rule that is only a warning (not a conformance failure). */
const WARNING_CHIP = '<span class="chip warning" title="a failed SHOULD rule: a warning under --should-warn (a run without it fails on it)">warning</span>';

function levelChip(rule: RuleResult): string {
  return `<span class="chip level ${esc(rule.level)}">${esc(rule.level)}</span>`;
}

function figure(key: string, value: string, sub: string, cls = '', small = false): string {
  return `<div class="fig ${cls}"><div class="k">${esc(key)}</div><div class="v${small ? ' small' : ''}">${esc(value)}</div>${sub === '' ? '' : `<div class="sub">${esc(sub)}</div>`}</div>`;
}

function sourcesCell(rule: RuleResult): string {
  const parts: string[] = [];
  for (const f of rule.sources.facts) parts.push(`<code title="fact">${esc(f)}</code>`);
  for (const d of rule.sources.docs) {
    const url = docUrl(d);
    parts.push(
      url === undefined
        ? `<span class="doc mono" title="documentation page">${esc(d)}</span>`
        : `<a class="doc" href="${esc(url)}" target="_blank" rel="noopener noreferrer" title="${esc(url)}">${esc(d.replace(/\.md$/, ''))}</a>`,
    );
  }
  return parts.length === 0 ? '<span class="empty">none</span>' : parts.join(' ');
}

function timelineRow(e: TraceEvent): string {
  const ctx: string[] = [];
  if (e.cpu !== undefined) ctx.push(`<span class="ctx" title="processor">CPU ${e.cpu}</span>`);
  if (e.irql !== undefined) ctx.push(`<span class="ctx" title="IRQL ${e.irql}">${esc(irqlName(e.irql))}</span>`);
  const detail =
    e.detail !== undefined && Object.keys(e.detail).length > 0
      ? `<details><summary>detail</summary><pre>${esc(JSON.stringify(e.detail, null, 2))}</pre></details>`
      : '';
  return (
    `<li class="ev k-${esc(e.kind)}" data-kind="${esc(e.kind)}" data-seq="${e.seq}" style="--k:${KIND_COLOURS[e.kind] ?? '#8c959f'}">` +
    `<div class="row"><span class="seq">#${e.seq}</span><span class="kind">${esc(e.kind)}</span>${ctx.join('')}<span class="text">${esc(e.text)}</span></div>` +
    `${detail}</li>`
  );
}

function kindLegend(kinds: readonly TraceEventKind[]): string {
  return `<div class="legend">${kinds.map((k) => `<span style="--k:${KIND_COLOURS[k]}">${k}</span>`).join('')}</div>`;
}

/** What a failure of the rule breaks: the documentation (quoted) or the suite's reading (the decision). */
function bindingParagraph(rule: RuleResult): string {
  return `<p class="binding" data-breaks="${rule.level === 'DERIVED' ? 'reading' : 'documentation'}"><strong>Breaks ${esc(breaksWhat(rule))}:</strong> ${esc(bindingLine(rule))}</p>`;
}

function failureArticle(rule: RuleResult, failure: RuleFailure, ids: IdMaker, index: number, warning = false): string {
  const replayId = `replay-${index + 1}`;
  const meta: [string, string][] = [
    ['Interface version', failure.interfaceVersion],
    ['Property', failure.property],
  ];
  if (failure.numRunsToFailure !== undefined) meta.push(['Found after', `${failure.numRunsToFailure} run(s)`]);
  if (failure.shrinks !== undefined) meta.push(['Shrinks', String(failure.shrinks)]);
  if (failure.location !== undefined) meta.push(['Location', `${failure.location.file}:${failure.location.line}:${failure.location.column}`]);
  const kinds = TRACE_EVENT_KINDS.filter((k) => failure.counterexample.some((e) => e.kind === k));
  const out: string[] = [];
  const waived = rule.status === 'waived';
  out.push(`<article class="failure${warning ? ' warning' : ''}${waived ? ' waived' : ''}" id="${ids.make('failure', rule.id)}" data-failure-for="${esc(rule.id)}"${warning ? ' data-warning="true"' : ''}${waived ? ' data-waived="true"' : ''}>`);
  out.push(
    `<header><span class="rid">${esc(rule.id)}</span>${levelChip(rule)}${warning ? WARNING_CHIP : ''}${waived ? chip('waived') : ''}<span class="chip level">${esc(rule.family)}</span><a class="to-rule" href="#${ids.make('rule', rule.id)}">show in rules table</a></header>`,
  );
  out.push(`<p class="statement">${esc(rule.statement)}</p>`);
  out.push(bindingParagraph(rule));
  if (rule.waiver !== undefined) {
    out.push(`<p class="waiver"><strong>Waived</strong>${rule.waiver.expires !== undefined ? ` until ${esc(rule.waiver.expires)}` : ''}: ${esc(rule.waiver.reason)}</p>`);
  }
  out.push(`<p class="message">${esc(failure.message)}</p>`);
  out.push(`<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`);
  out.push(
    `<div class="replay"><div class="head"><span>Replay this failure</span><button type="button" class="copy" data-copy="${replayId}">Copy</button></div>` +
      `<pre id="${replayId}"><code>${esc(failure.replayCommand)}</code></pre>` +
      `<div class="token">token: ${esc(failure.replay)}</div></div>`,
  );
  out.push(`<details open><summary>Shrunk steps (${failure.steps.length})</summary>`);
  out.push(failure.steps.length === 0 ? '<p class="empty">No steps recorded.</p>' : `<ol class="steps">${failure.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>`);
  out.push('</details>');
  out.push(`<h4>Counterexample timeline (${failure.counterexample.length} events)</h4>`);
  if (failure.counterexample.length === 0) out.push('<p class="empty">No events recorded.</p>');
  else {
    out.push(kindLegend(kinds));
    out.push(`<ol class="timeline">${failure.counterexample.map(timelineRow).join('')}</ol>`);
  }
  out.push('</article>');
  return out.join('\n');
}

/** Writes the report as one self-contained HTML page. */
export function toHtml(report: ConformanceReport): string {
  const ids = new IdMaker();
  const counts = statusCounts(report.rules);
  const total = report.rules.length;
  const cov = report.coverage;
  const failures = verdictFailures(report);
  const warnings = warningFailures(report);
  const waived = waivedRules(report);
  const out: string[] = [];
  out.push('<!DOCTYPE html>');
  out.push('<html lang="en">');
  out.push('<head>');
  out.push('<meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${esc(`NetDMA conformance: ${report.verdict} (${report.candidate.name})`)}</title>`);
  out.push(`<style>${CSS}</style>`);
  out.push('</head>');
  out.push(`<body data-verdict="${esc(report.verdict)}">`);

  out.push(`<header id="banner" class="banner v-${esc(report.verdict)}"><div class="wrap" style="padding-bottom:0">`);
  out.push(`<div class="tool">${esc(`${report.tool.name} ${report.tool.version}`)}</div>`);
  out.push(`<h1><span id="verdict">${esc(report.verdict)}</span></h1>`);
  out.push(`<p class="sentence">${esc(verdictSentence(report).replace(/^[A-Z]+:? /, ''))}</p>`);
  out.push(`<p class="candidate">${esc(report.candidate.name)} <code>${esc(report.candidate.path)}</code></p>`);
  out.push('</div></header>');
  out.push('<main class="wrap">');

  const replay = replayNotice(report);
  if (replay !== undefined) out.push(`<div id="replay" class="notice incomplete"><strong>Replay.</strong> ${esc(replay)}</div>`);
  if (report.incomplete !== undefined) {
    out.push(`<div id="incomplete" class="notice incomplete"><strong>Incomplete run.</strong> ${esc(report.incomplete.reason)}. The figures cover only what ran.</div>`);
  }
  if (report.errors.length > 0) {
    out.push(`<div id="errors" class="notice errors"><strong>${report.errors.length} error(s) stopped the run.</strong><ul>`);
    for (const e of report.errors) out.push(`<li>${esc(e.message)}${e.detail === undefined ? '' : `<pre>${esc(e.detail)}</pre>`}</li>`);
    out.push('</ul></div>');
  }

  const bar =
    total === 0
      ? ''
      : `<div class="bar" title="pass / fail / not exercised">` +
        `<span style="width:${(counts.pass / total) * 100}%;background:var(--pass)"></span>` +
        `<span style="width:${(counts.fail / total) * 100}%;background:var(--fail)"></span>` +
        `<span style="width:${(counts['not-exercised'] / total) * 100}%;background:#afb8c1"></span></div>`;
  out.push('<section id="figures" class="figures">');
  out.push(`<div class="fig"><div class="k">Rules</div><div class="v">${total}</div>${bar}</div>`);
  out.push(figure('Passed', String(counts.pass), `of ${total}`, 'pass'));
  out.push(figure('Failed', String(counts.fail - warnings.length), `of ${total}`, 'fail'));
  if (waived.length > 0) out.push(figure('Waived', String(waived.length), 'failed, waived by the team', 'warn'));
  if (warnings.length > 0) out.push(figure('Warnings', String(warnings.length), 'SHOULD rule(s) failed', 'warn'));
  out.push(figure('Not exercised', String(counts['not-exercised']), `of ${total}`, 'skip'));
  out.push(figure('Rule coverage', percent(cov.rulesExercised, cov.rulesTotal), `${cov.rulesExercised} of ${cov.rulesTotal} rules exercised`));
  out.push(figure('PnP transitions', percent(cov.transitionsCovered, cov.transitionsTotal), `${cov.transitionsCovered} of ${cov.transitionsTotal} covered`));
  if (cov.code !== undefined) out.push(figure('Code lines', `${cov.code.linesPct.toFixed(1)}%`, cov.code.dir));
  out.push(figure('Interface versions', report.interfaceVersions.join(', '), '', '', true));
  out.push(figure('Seed', String(report.seed), `${report.runs} runs`, '', true));
  out.push(figure('Duration', `${(report.durationMs / 1000).toFixed(1)} s`, report.startedAt, '', true));
  if (report.shard !== undefined) out.push(figure('Shard', `${report.shard.index + 1} of ${report.shard.count}`, '', '', true));
  out.push(figure('Environment', `Node ${report.environment.node}`, report.environment.platform, '', true));
  out.push('</section>');

  if (failures.length > 0) {
    out.push(`<section id="failures"><h2>Failures (${failures.length})</h2>`);
    failures.forEach(({ rule, failure }, i) => out.push(failureArticle(rule, failure, ids, i)));
    out.push('</section>');
  }
  if (warnings.length > 0) {
    out.push(`<section id="warnings"><h2>Warnings: SHOULD rules failed (${warnings.length})</h2>`);
    out.push('<p>The docs only recommend these rules: this run (<code>--should-warn</code>) reports each failure as a warning, not a conformance failure; a run without that flag fails on them.</p>');
    warnings.forEach(({ rule, failure }, i) => out.push(failureArticle(rule, failure, ids, failures.length + i, true)));
    out.push('</section>');
  }

  if (report.waivers !== undefined) {
    const w = report.waivers;
    out.push(`<section id="waivers"><h2>Waivers (${w.entries.length})</h2>`);
    out.push(`<p>From <code>${esc(w.file)}</code> (<span class="mono">${esc(w.sha256)}</span>). A waived rule failed: its failure is shown below with its counterexample, never as a pass.</p>`);
    if (w.entries.length > 0) {
      out.push('<table class="waivers"><thead><tr><th>Rule</th><th>State</th><th>Reason</th><th>Expires</th></tr></thead><tbody>');
      for (const e of w.entries) out.push(`<tr data-waiver-for="${esc(e.rule)}" data-state="${esc(e.state)}"><td class="mono">${esc(e.rule)}</td><td>${esc(e.state)}</td><td>${esc(e.reason)}</td><td>${esc(e.expires ?? '—')}</td></tr>`);
      out.push('</tbody></table>');
    }
    waived.forEach(({ rule, failure }, i) => out.push(failureArticle(rule, failure, ids, failures.length + warnings.length + i)));
    out.push('</section>');
  }

  out.push(`<section id="rules"><h2>Rules by family</h2>`);
  out.push(
    '<div class="toolbar" role="toolbar" aria-label="Filter rules">' +
      '<button type="button" data-filter="all" aria-pressed="true">All</button>' +
      `<button type="button" data-filter="fail" aria-pressed="false">Failed (${counts.fail})</button>` +
      `<button type="button" data-filter="pass" aria-pressed="false">Passed (${counts.pass})</button>` +
      (counts.waived > 0 ? `<button type="button" data-filter="waived" aria-pressed="false">Waived (${counts.waived})</button>` : '') +
      `<button type="button" data-filter="not-exercised" aria-pressed="false">Not exercised (${counts['not-exercised']})</button>` +
      '<input id="rule-search" type="search" placeholder="Filter by id or text" aria-label="Filter rules by text">' +
      '</div>',
  );
  if (total === 0) out.push('<p class="empty">The report lists no rules.</p>');
  for (const g of groupByFamily(report.rules)) {
    out.push(`<section class="family" id="${ids.make('family', g.family)}" data-family="${esc(g.family)}">`);
    out.push(
      `<header><h3>${esc(g.family)}</h3>` +
        (g.pass > 0 ? `<span class="chip pass">${g.pass} pass</span>` : '') +
        (g.fail > 0 ? `<span class="chip fail">${g.fail} fail</span>` : '') +
        (g.waived > 0 ? `<span class="chip waived">${g.waived} waived</span>` : '') +
        (g.notExercised > 0 ? `<span class="chip not-exercised">${g.notExercised} not exercised</span>` : '') +
        '</header>',
    );
    out.push(
      '<table class="rules"><colgroup><col class="c-id"><col class="c-level"><col class="c-stmt"><col class="c-status"><col class="c-num"><col class="c-src"></colgroup>' +
        '<thead><tr><th>Rule</th><th>Level</th><th>Statement</th><th>Status</th><th class="num">Checked</th><th>Sources</th></tr></thead><tbody>',
    );
    for (const rule of g.rules) {
      const idCell = rule.status === 'fail' || rule.status === 'waived' ? `<a href="#${ids.make('failure', rule.id)}">${esc(rule.id)}</a>` : esc(rule.id);
      out.push(
        `<tr class="rule st-${esc(rule.status)}" id="${ids.make('rule', rule.id)}" data-rule-id="${esc(rule.id)}" data-status="${esc(rule.status)}">` +
          `<td class="id">${idCell}</td><td>${levelChip(rule)}</td><td>${esc(rule.statement)}</td><td>${chip(rule.status)}${isWarning(report, rule) ? ` ${WARNING_CHIP}` : ''}</td>` +
          `<td class="num">${rule.exercised}</td><td class="src">${sourcesCell(rule)}</td></tr>`,
      );
    }
    out.push('</tbody></table></section>');
  }
  out.push('</section>');

  out.push(`<section id="coverage"><h2>PnP state coverage</h2>`);
  out.push(
    `<p>${cov.transitionsCovered} of ${cov.transitionsTotal} transitions covered (${percent(cov.transitionsCovered, cov.transitionsTotal)}); ` +
      `${cov.rulesExercised} of ${cov.rulesTotal} rules exercised (${percent(cov.rulesExercised, cov.rulesTotal)})` +
      `${cov.code === undefined ? '' : esc(`; ${cov.code.linesPct.toFixed(1)}% of the lines in ${cov.code.dir} ran`)}.</p>`,
  );
  if (cov.machines !== undefined && cov.machines.length > 0) {
    out.push('<p>Machines exercised:</p><ul>');
    for (const l of machineCoverageLines(cov.machines)) out.push(`<li>${esc(l)}</li>`);
    out.push('</ul>');
  }
  if (cov.transitions.length === 0) out.push('<p class="empty">No PnP transitions recorded.</p>');
  else {
    out.push(`<div class="diagram">${stateDiagramSvg(cov.transitions, esc)}`);
    out.push('<div class="diagram-legend"><span><span class="solid"></span>covered (× times taken)</span><span><span class="dashed"></span>never taken</span></div></div>');
    out.push('<details><summary>Transitions as a table</summary><table><thead><tr><th>From</th><th>Event</th><th>To</th><th>Taken</th></tr></thead><tbody>');
    for (const t of cov.transitions) {
      out.push(`<tr><td>${esc(t.from)}</td><td class="mono">${esc(t.event)}</td><td>${esc(t.to)}</td><td class="num">${t.covered}</td></tr>`);
    }
    out.push('</tbody></table></details>');
  }
  out.push('</section>');

  out.push(`<section id="ambiguities"><h2>Ambiguity decisions (${report.ambiguities.length})</h2>`);
  if (report.ambiguities.length === 0) out.push('<p class="empty">None.</p>');
  else {
    out.push('<table class="amb"><colgroup><col class="c-id"><col class="c-q"><col></colgroup><thead><tr><th>Id</th><th>Question</th><th>Decision</th></tr></thead><tbody>');
    for (const a of report.ambiguities) {
      out.push(`<tr data-ambiguity-id="${esc(a.id)}"><td class="mono">${esc(a.id)}</td><td>${esc(a.title)}</td><td>${esc(a.decision)}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');

  out.push(
    `<footer>${esc(
      `Generated by ${report.tool.name} ${report.tool.version} (report schema ${report.schemaVersion}). Run started ${report.startedAt}; Node ${report.environment.node} on ${report.environment.platform}; seed ${report.seed}.`,
    )}</footer>`,
  );
  out.push('</main>');
  out.push(`<script>${SCRIPT}</script>`);
  out.push('</body>');
  out.push('</html>');
  return `${out.join('\n')}\n`;
}
