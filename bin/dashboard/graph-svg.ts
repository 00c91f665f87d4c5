import type { GraphStep } from '../../sdk/run-observer.js';
import { compactCount } from '../../runners/monitoring/format.js';
import { escapeHtml } from './html.js';
import type { StepView } from './run-record.js';

const NODE_W = 210;
const NODE_H = 50;
const GAP_X = 22;
const GAP_Y = 30;
const PAD = 10;
/** Characters of a label that fit a node (about 6.5 px per character at 12 px). */
const FIT = 30;

const KIND_COLOR: Record<GraphStep['kind'], string> = {
  read: '#dbeafe',
  pardo: '#f3f4f6',
  window: '#ede9fe',
  gbk: '#fef3c7',
  combine: '#fef3c7',
  flatten: '#e0f2fe',
};

interface Placed {
  readonly g: GraphStep;
  readonly layer: number;
  x: number;
  y: number;
}

/**
 * The pipeline graph as inline SVG, top to bottom: one box per primitive step (`data-step` holds its
 * full name) in layers by longest path from the sources, ordered to cross few edges; each box shows
 * the step's name, its composite path, and with `steps` its rates, and a read step's buffer fill
 * (the box turns orange, then red, as the buffer fills: backpressure). Edges other than `main`
 * (late, dead letters, tagged outputs) are dashed and labelled; side inputs are dotted.
 * @example graphSvg(record.graph, record.steps) // '<svg class="graph" ...><g class="step" data-step="Read">...'
 */
export function graphSvg(graph: readonly GraphStep[], steps: readonly StepView[] = []): string {
  const byStep = new Map(steps.map((s) => [s.step, s]));
  const layerOf = new Map<string, number>();
  for (const g of graph) {
    const from = [...g.inputs.map((i) => i.step), ...g.sideInputs];
    layerOf.set(g.step, from.length === 0 ? 0 : Math.max(...from.map((f) => (layerOf.get(f) ?? 0) + 1)));
  }
  const layers: Placed[][] = [];
  const placed = new Map<string, Placed>();
  for (const g of graph) {
    const p: Placed = { g, layer: layerOf.get(g.step)!, x: 0, y: 0 };
    (layers[p.layer] ??= []).push(p);
    placed.set(g.step, p);
  }
  // Order each layer by the mean position of its inputs (one pass from the top), then place it.
  const width = Math.max(1, ...layers.map((l) => l.length));
  layers.forEach((layer, li) => {
    if (li > 0) {
      const key = (p: Placed) => {
        const xs = p.g.inputs.map((i) => placed.get(i.step)!.x);
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      };
      layer.sort((a, b) => key(a) - key(b));
    }
    const offset = ((width - layer.length) * (NODE_W + GAP_X)) / 2;
    layer.forEach((p, i) => {
      p.x = PAD + offset + i * (NODE_W + GAP_X);
      p.y = PAD + li * (NODE_H + GAP_Y);
    });
  });
  const w = PAD * 2 + width * NODE_W + (width - 1) * GAP_X + 2 * GAP_X;
  const h = PAD * 2 + layers.length * NODE_H + Math.max(0, layers.length - 1) * GAP_Y;

  const edges: string[] = [];
  const edge = (from: Placed, to: Placed, cls: string, label?: string) => {
    const x2 = to.x + NODE_W / 2;
    const y2 = to.y;
    if (to.layer - from.layer > 1) {
      // Past other layers: leave from the box's right side and bow out, clear of the boxes in between.
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const bow = Math.max(x1, x2) + GAP_X / 2 + 4 * (to.layer - from.layer);
      edges.push(`<path class="edge ${cls}" d="M${x1},${y1} C${bow},${y1} ${bow},${y2 - GAP_Y} ${x2},${y2}" marker-end="url(#arrow)"/>`);
      if (label) edges.push(`<text class="edge-label" x="${x1 + 4}" y="${y1 - 3}">${escapeHtml(label)}</text>`);
      return;
    }
    const x1 = from.x + NODE_W / 2;
    const y1 = from.y + NODE_H;
    const my = (y1 + y2) / 2;
    edges.push(`<path class="edge ${cls}" d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}" marker-end="url(#arrow)"/>`);
    if (label) edges.push(`<text class="edge-label" x="${(x1 + x2) / 2 + 4}" y="${my - 2}">${escapeHtml(label)}</text>`);
  };
  for (const p of placed.values()) {
    for (const i of p.g.inputs) edge(placed.get(i.step)!, p, i.tag === 'main' ? 'main' : 'tagged', i.tag === 'main' ? undefined : i.tag);
    for (const s of p.g.sideInputs) edge(placed.get(s)!, p, 'side', 'side input');
  }

  const nodes = [...placed.values()].map((p) => {
    const s = byStep.get(p.g.step);
    const parts = p.g.step.split('/');
    const name = parts[parts.length - 1]!;
    const path = parts.slice(0, -1).join('/');
    const fill = s && s.capacity ? s.buffered / s.capacity : 0;
    const pressure = fill >= 0.9 ? 'high' : fill >= 0.5 ? 'some' : 'none';
    const stats = s === undefined ? p.g.kind : nodeStats(s, fill);
    const title = s === undefined ? p.g.step : `${p.g.step} (${p.g.kind}): in ${s.elementsIn}, out ${s.elementsOut}, late ${s.lateDropped}, dead letters ${s.deadLettered}`;
    return (
      `<g class="step pressure-${pressure}" data-step="${escapeHtml(p.g.step)}" transform="translate(${p.x},${p.y})">` +
      `<title>${escapeHtml(title)}</title>` +
      `<rect width="${NODE_W}" height="${NODE_H}" rx="6" fill="${KIND_COLOR[p.g.kind]}"/>` +
      (fill > 0 ? `<rect class="fill" y="${NODE_H - 4}" width="${(NODE_W * Math.min(1, fill)).toFixed(1)}" height="4"/>` : '') +
      `<text class="path" x="8" y="13">${escapeHtml(fit(path, FIT + 4))}</text>` +
      `<text class="name" x="8" y="28">${escapeHtml(fit(name, FIT))}</text>` +
      `<text class="stats" x="8" y="42">${escapeHtml(fit(stats, FIT + 4))}</text>` +
      `</g>`
    );
  });
  return (
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="pipeline graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>` +
    edges.join('') +
    nodes.join('') +
    `</svg>`
  );
}

/** The third line of a box: rates (or counts once the step is idle), buffer fill, late and dead letters. */
function nodeStats(s: StepView, fill: number): string {
  const rate = (r: number | undefined, n: number) => (r !== undefined && r > 0 ? `${compactCount(r)}/s` : compactCount(n));
  const parts = s.kind === 'read' ? [`out ${rate(s.outPerSecond, s.elementsOut)}`] : [`in ${rate(s.inPerSecond, s.elementsIn)}`, `out ${rate(s.outPerSecond, s.elementsOut)}`];
  if (s.capacity) parts.push(`buf ${Math.round(fill * 100)}%`);
  if (s.lateDropped > 0) parts.push(`late ${compactCount(s.lateDropped)}`);
  if (s.deadLettered > 0) parts.push(`dead ${compactCount(s.deadLettered)}`);
  return parts.join(' · ');
}

/** `text` cut to `n` characters with `…`. */
function fit(text: string, n: number): string {
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}
