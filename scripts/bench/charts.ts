/**
 * SVG charts written by hand (no chart library): prove time against circuit size, one colour per
 * proof system, and the service's throughput per scenario. Pure functions returning SVG text.
 */
import type { Protocol, ResultRow, ServiceRow } from './types.ts';

const W = 760;
const H = 460;
const M = { left: 70, right: 20, top: 40, bottom: 60 };
const COLOURS: Record<Protocol, string> = { groth16: '#1f77b4', plonk: '#d62728', fflonk: '#2ca02c' };
const FONT = 'font-family="sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Round ticks (steps of 1, 2, 5 x 10^k), about `n` intervals, from at or below `lo` to at or above `hi`. */
export function linearTicks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  const end = Math.ceil(hi / step - 1e-9) * step;
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= end + step * 1e-9; v += step) out.push(Math.round(v * 1e9) / 1e9);
  return out;
}

/** 1, 2, 5 x 10^k within [lo, hi] (for a logarithmic axis). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

function label(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : String(v);
}

/** "presentation-d24-a8-k4-s16" -> "d24-a8-k4"; "revocation-d16-a4" -> "rev-d16-a4" */
export function shortName(circuit: string): string {
  return circuit
    .replace(/^presentation-/, '')
    .replace(/^revocation-/, 'rev-')
    .replace(/-s16$/, '');
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Scatter of prove time (log scale) against size: R1CS constraints for Groth16, PLONK gates for
 * PLONK and FFLONK. Each point is labelled with its circuit.
 */
export function proveChart(rows: ResultRow[]): string {
  const pts = rows.map((r) => ({
    x: r.protocol === 'groth16' ? r.constraints : (r.plonkGates ?? r.constraints),
    y: r.proveMs,
    protocol: r.protocol,
    name: shortName(r.circuit),
  }));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">Prove time against circuit size</text>`);
  if (pts.length === 0) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no results</text></svg>`);
    return `${parts.join('\n')}\n`;
  }
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const span = Math.max(...xs) - Math.min(...xs) || Math.max(...xs);
  const xTicks = linearTicks(Math.max(0, Math.min(...xs) - span * 0.05), Math.max(...xs) + span * 0.15);
  const x0 = xTicks[0] ?? 0;
  const x1 = xTicks[xTicks.length - 1] ?? Math.max(...xs);
  const y0 = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const y1 = 10 ** Math.ceil(Math.log10(Math.max(...ys) * 1.01));
  const px = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (v: number) =>
    H - M.bottom - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * (H - M.top - M.bottom);
  // axes and grid
  for (const t of xTicks) {
    parts.push(`<line x1="${px(t)}" y1="${M.top}" x2="${px(t)}" y2="${H - M.bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of logTicks(y0, y1)) {
    parts.push(`<line x1="${M.left}" y1="${py(t)}" x2="${W - M.right}" y2="${py(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py(t) + 4}" text-anchor="end">${label(t)}</text>`);
  }
  parts.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`);
  parts.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`);
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">constraints (Groth16: R1CS; PLONK, FFLONK: gates)</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">prove time, ms (log scale)</text>`,
  );
  // The legend's corner is taken; labels go where they overlap no point and no other label, and
  // points in a crowd keep only their tooltip (the tables have every figure).
  const boxes: Box[] = [{ x: M.left, y: M.top, w: 90, h: 60 }];
  for (const p of pts) boxes.push({ x: px(p.x) - 4, y: py(p.y) - 4, w: 8, h: 8 });
  for (const p of [...pts].sort((a, b) => a.x - b.x || a.y - b.y)) {
    const c = COLOURS[p.protocol];
    const cx = px(p.x);
    const cy = py(p.y);
    parts.push(
      `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${c}"><title>${escapeXml(`${p.name} ${p.protocol}: ${Math.round(p.y)} ms`)}</title></circle>`,
    );
    const w = p.name.length * 5.6;
    const spot = [
      { x: cx + 6, y: cy - 16 },
      { x: cx + 6, y: cy + 4 },
      { x: cx - 6 - w, y: cy - 16 },
      { x: cx - 6 - w, y: cy + 4 },
      { x: cx - w / 2, y: cy - 22 },
      { x: cx - w / 2, y: cy + 8 },
    ]
      .map((o) => ({ ...o, w, h: 12 }))
      .find(
        (b) => b.x >= M.left && b.x + b.w <= W - M.right && b.y >= M.top && b.y + b.h <= H - M.bottom && !boxes.some((o) => overlaps(b, o)),
      );
    if (spot) {
      boxes.push(spot);
      parts.push(`<text x="${spot.x.toFixed(1)}" y="${(spot.y + 10).toFixed(1)}" font-size="10" fill="${c}">${escapeXml(p.name)}</text>`);
    }
  }
  const protocols = [...new Set(pts.map((p) => p.protocol))];
  protocols.forEach((p, i) => {
    const y = M.top + 8 + i * 18;
    parts.push(`<circle cx="${M.left + 16}" cy="${y}" r="5" fill="${COLOURS[p]}"/>`);
    parts.push(`<text x="${M.left + 26}" y="${y + 4}">${p}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Horizontal bars: responses per second per service scenario, with latency percentiles. */
export function throughputChart(rows: ServiceRow[]): string {
  const h = M.top + 30 + rows.length * 56 + 40;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" ${FONT} font-size="12">`);
  parts.push(`<rect width="${W}" height="${h}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">Service throughput (responses per second)</text>`);
  const left = 120;
  const right = W - 30;
  const max = Math.max(1, ...rows.map((r) => r.perSecond));
  const ticks = linearTicks(0, max * 1.05, 5);
  const top = ticks[ticks.length - 1] ?? max;
  const px = (v: number) => left + (v / top) * (right - left);
  const axisY = h - 40;
  for (const t of ticks) {
    parts.push(`<line x1="${px(t)}" y1="${M.top}" x2="${px(t)}" y2="${axisY}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t)}" y="${axisY + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  rows.forEach((r, i) => {
    const y = M.top + 20 + i * 56;
    const colour = r.scenario === 'accepted' ? '#1f77b4' : r.scenario === 'invalid-proof' ? '#ff7f0e' : '#7f7f7f';
    parts.push(`<text x="${left - 8}" y="${y + 18}" text-anchor="end">${escapeXml(r.scenario)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, px(r.perSecond) - left).toFixed(1)}" height="26" fill="${colour}"/>`);
    parts.push(
      `<text x="${left + 6}" y="${y + 42}" font-size="11">${escapeXml(`${r.perSecond.toFixed(1)}/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.connections} connections`)}</text>`,
    );
  });
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="black"/>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
