// Hand-drawn SVG charts and the trace graph: no chart library to pin, vendor or audit.
const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function chart(width, height, label, ...children) {
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label }, s('title', {}, label), ...children);
}

/** Vertical bars of `[{label, value}]`, values written above the bars. */
export function barChart(items, label) {
  const w = 560, h = 220, pad = 28, base = h - 36;
  const max = Math.max(1, ...items.map((i) => i.value));
  const step = (w - pad * 2) / Math.max(1, items.length);
  const bars = items.map((it, i) => {
    const bh = ((base - pad) * it.value) / max;
    const x = pad + i * step + step * 0.15;
    const bw = step * 0.7;
    return s('g', {},
      s('rect', { x, y: base - bh, width: bw, height: Math.max(bh, 0.5), class: 'bar' }, s('title', {}, `${it.label}: ${it.value}`)),
      s('text', { x: x + bw / 2, y: base - bh - 4, 'text-anchor': 'middle', class: 'value' }, it.value),
      s('text', { x: x + bw / 2, y: base + 16, 'text-anchor': 'middle', class: 'axis' }, it.label));
  });
  return chart(w, h, label, s('line', { x1: pad, y1: base, x2: w - pad, y2: base, class: 'axis-line' }), bars);
}

/** A ring showing `share` (0..1, or null when nothing to measure) with its percentage inside. */
export function ring(share, label) {
  const r = 52, c = 2 * Math.PI * r;
  const known = typeof share === 'number';
  const pct = known ? Math.round(share * 1000) / 10 : null;
  return chart(140, 140, label,
    s('circle', { cx: 70, cy: 70, r, class: 'ring-back' }),
    known ? s('circle', { cx: 70, cy: 70, r, class: 'ring-front', 'stroke-dasharray': `${c * share} ${c}`, transform: 'rotate(-90 70 70)' }) : null,
    s('text', { x: 70, y: 76, 'text-anchor': 'middle', class: 'ring-text' }, known ? `${pct}%` : '—'));
}

/** A horizontal stacked bar of `[{label, value, kind}]` with a legend. */
export function stackBar(parts, label) {
  const w = 560, total = Math.max(1, parts.reduce((a, p) => a + p.value, 0));
  let x = 0;
  const segs = parts.map((p) => {
    const pw = (w * p.value) / total;
    const seg = s('rect', { x, y: 0, width: pw, height: 24, class: `seg ${p.kind}` }, s('title', {}, `${p.label}: ${p.value}`));
    x += pw;
    return seg;
  });
  const legend = parts.map((p, i) => s('g', { transform: `translate(${i * 140} 40)` },
    s('rect', { width: 12, height: 12, class: `seg ${p.kind}` }),
    s('text', { x: 18, y: 11, class: 'axis' }, `${p.label} ${p.value}`)));
  return chart(w, 60, label, segs, legend);
}

const NODE_W = 190, NODE_H = 64, COL_GAP = 90, ROW_GAP = 26;

/** The column of a holder: upstream holders left of the start, downstream ones right. */
function column(node) {
  if (node.depth_backward) return -node.depth_backward;
  return node.depth_forward || 0;
}

/**
 * The flow of a batch as a graph: one box per holder (name, quantity held now), one arrow per
 * movement labelled with the quantity sent and received. `texts` gives the words used.
 */
export function traceGraph(report, texts) {
  const cols = new Map();
  report.nodes.forEach((n, i) => {
    const c = column(n);
    if (!cols.has(c)) cols.set(c, []);
    cols.get(c).push(i);
  });
  const order = [...cols.keys()].sort((a, b) => a - b);
  const pos = [];
  let rows = 1;
  order.forEach((c, ci) => {
    const members = cols.get(c);
    rows = Math.max(rows, members.length);
    members.forEach((i, ri) => {
      pos[i] = { x: 20 + ci * (NODE_W + COL_GAP), y: 20 + ri * (NODE_H + ROW_GAP) };
    });
  });
  const width = 40 + order.length * NODE_W + (order.length - 1) * COL_GAP;
  const height = 40 + rows * NODE_H + (rows - 1) * ROW_GAP;
  const defs = s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
    s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' })));
  const edges = report.edges.map((e) => {
    const a = pos[e.from], b = pos[e.to];
    const forward = b.x >= a.x;
    const x1 = forward ? a.x + NODE_W : a.x, y1 = a.y + NODE_H / 2 + (e.kind === 'return' ? 10 : 0);
    const x2 = forward ? b.x : b.x + NODE_W, y2 = b.y + NODE_H / 2 + (e.kind === 'return' ? 10 : 0);
    const mx = (x1 + x2) / 2;
    const label = e.sent === e.received ? `${e.sent}` : `${e.sent} → ${e.received}`;
    return s('g', { class: `edge ${e.kind}` },
      s('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }),
      s('text', { x: mx, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle', class: 'edge-label' }, e.kind === 'return' ? `${texts.returned} ${label}` : label),
      s('title', {}, `${report.nodes[e.from].name} → ${report.nodes[e.to].name}: ${texts.sent} ${e.sent}, ${texts.received} ${e.received}`));
  });
  const nodes = report.nodes.map((n, i) => {
    const p = pos[i];
    const held = n.held === null || n.held === undefined ? texts.external : `${texts.held} ${n.held}`;
    const name = n.name.length > 14 ? `${n.name.slice(0, 13)}…` : n.name;
    return s('g', { class: `node${n.in_region ? ' in-region' : ''}${column(n) === 0 ? ' start' : ''}`, transform: `translate(${p.x} ${p.y})` },
      s('rect', { width: NODE_W, height: NODE_H, rx: 8 }),
      s('text', { x: 10, y: 24, class: 'node-name' }, name),
      s('text', { x: 10, y: 46, class: 'node-held' }, held),
      s('title', {}, `${n.name}${n.uscc ? ` (${n.uscc})` : ''}`));
  });
  return s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'trace-graph', role: 'img', 'aria-label': texts.title },
    s('title', {}, texts.title), defs, edges, nodes);
}
