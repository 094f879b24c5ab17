/**
 * Soak: a long run of mixed requests against one service instance (SQLite, a copy of the
 * fixture), sampling the process's resident memory (VmRSS) every second. The mix, shuffled with a
 * fixed seed:
 *  - valid: each prepared presentation once (200);
 *  - replayed: a presentation already accepted, again (409 REQUEST_ALREADY_USED);
 *  - invalid: a proof with A and C swapped on a request kept for them (full verification, 422);
 *  - malformed: bad JSON, a wrong shape, a non-canonical signal, an oversized body, a wrong
 *    content type, an unknown request (4xx, before any cryptography).
 * Every other valid and invalid presentation carries its request's ticket (read from the holder
 * views after the warm-up), so both of the service's paths run: the request from the ticket, and
 * the request read from the store; replays pick from both.
 * It passes with no 5xx and flat memory: the second half of the run grows the RSS by less than
 * 10% of the RSS at its start.
 */
import { FIELD_MODULUS } from '../../src/field.ts';
import type { Presentation } from '../../src/request.ts';
import { prng } from '../lib/prng.ts';
import { step } from '../lib/progress.ts';
import { fiveHundreds, latency, type Outcome, rssMiB, runLoad, type Shot, statusCounts } from './load.ts';
import type { Fixture } from './service-fixture.ts';
import { breakProof, deploy, presentationShot, warmUp, withTickets } from './service-scale.ts';
import type { SoakRow } from './types.ts';

type Kind = 'valid' | 'replayed' | 'invalid' | 'malformed';
interface Item {
  kind: Kind;
  shot: Shot;
  presentation?: Presentation;
}

function malformed(p: Presentation, i: number): Shot {
  const path = `/v1/requests/${p.requestId}/presentation`;
  switch (i % 6) {
    case 0:
      return { path, body: '{"proof": {"pi_a": [' };
    case 1:
      return { path, body: JSON.stringify({ proof: 1, publicSignals: 'x' }) };
    case 2: {
      // a signal >= r: refused as non-canonical
      const signals = [...p.publicSignals];
      signals[0] = (BigInt(signals[0] as string) + FIELD_MODULUS).toString();
      return { path, body: JSON.stringify({ ...p, publicSignals: signals }) };
    }
    case 3:
      return { path, body: JSON.stringify({ ...p, padding: 'x'.repeat(20_000) }) };
    case 4:
      return { path, body: JSON.stringify(p), contentType: 'text/plain' };
    default:
      return { path: `/v1/requests/no-such-request-${i}/presentation`, body: JSON.stringify(p) };
  }
}

export interface SoakOptions {
  requests: number;
  connections: number;
}

export async function benchSoak(fixture: Fixture, o: SoakOptions): Promise<SoakRow> {
  const all = fixture.presentations;
  if (all.length < 8) throw new RangeError('the soak needs at least 8 prepared presentations');
  // A quarter of the requests (at most 64) take only broken proofs: they stay pending, so each is a full verification.
  const reserved = Math.min(64, Math.floor(all.length / 4));
  let invalidPool = all.slice(all.length - reserved).map(breakProof);
  let valid = all.slice(0, all.length - reserved).slice(0, Math.floor(o.requests / 4));
  const rest = o.requests - valid.length;
  const kinds: Kind[] = [...valid.map(() => 'valid' as const)];
  for (let i = 0; i < rest; i++) kinds.push((['replayed', 'invalid', 'malformed'] as const)[i % 3] as Kind);
  const random = prng(0x50a4);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  const accepted: Presentation[] = [];
  let nextValid = 0;
  let sent = 0;
  let malformedCount = 0;
  const next = (): Item | undefined => {
    if (sent >= kinds.length) return undefined;
    let kind = kinds[sent++] as Kind;
    // A replay needs an accepted presentation: until there is one, send the next valid one instead.
    if (kind === 'replayed' && accepted.length === 0) kind = nextValid < valid.length ? 'valid' : 'invalid';
    switch (kind) {
      case 'valid': {
        const p = valid[nextValid++];
        if (p) return { kind, shot: presentationShot(p), presentation: p };
        return { kind: 'invalid', shot: presentationShot(invalidPool[sent % invalidPool.length] as Presentation) };
      }
      case 'replayed':
        return { kind, shot: presentationShot(accepted[Math.floor(random() * accepted.length)] as Presentation) };
      case 'invalid':
        return { kind, shot: presentationShot(invalidPool[sent % invalidPool.length] as Presentation) };
      default:
        return { kind, shot: malformed(all[sent % all.length] as Presentation, malformedCount++) };
    }
  };

  const d = await step('soak: start one instance (SQLite, a copy of the fixture)', () => deploy(fixture, { store: 'sqlite' }));
  try {
    const pid = d.servers[0]?.pid as number;
    const url = d.servers[0]?.url as string;
    // warm-up on the reserved requests (warmUp breaks the proofs itself), so they stay pending
    await warmUp(d, all.slice(all.length - reserved));
    const halfTicketed = async (ps: Presentation[]) => {
      const even = await withTickets(
        url,
        ps.filter((_, i) => i % 2 === 0),
      );
      return ps.map((p, i) => (i % 2 === 0 ? (even[i / 2] as Presentation) : p));
    };
    [valid, invalidPool] = await step('soak: the holder views of every other request (their tickets)', () =>
      Promise.all([halfTicketed(valid), halfTicketed(invalidPool)]),
    );
    const samples: { s: number; mib: number }[] = [];
    const t0 = performance.now();
    const sample = () => {
      const mib = rssMiB(pid);
      if (mib !== undefined) samples.push({ s: (performance.now() - t0) / 1000, mib });
    };
    sample();
    const timer = setInterval(sample, 1000);
    const byKind: Record<string, Outcome<Item>[]> = {};
    let done = 0;
    let r: Awaited<ReturnType<typeof runLoad<Item>>>;
    try {
      r = await step(`soak: ${o.requests} mixed requests, ${o.connections} connections`, () =>
        runLoad<Item>([url], {
          connections: o.connections,
          next,
          shotOf: (i) => i.shot,
          onOutcome: (out) => {
            const list = byKind[out.shot.kind] ?? [];
            list.push(out);
            byKind[out.shot.kind] = list;
            if (out.status === 200 && out.shot.presentation) accepted.push(out.shot.presentation);
            if (++done % 1000 === 0) process.stderr.write(`\r  ${done}/${o.requests}, RSS ${rssMiB(pid)?.toFixed(0)} MiB   `);
          },
        }),
      );
      process.stderr.write('\n');
    } finally {
      clearInterval(timer);
    }
    sample();
    const statuses = statusCounts(r.outcomes);
    const mib = samples.map((x) => x.mib);
    const half = samples.filter((x) => x.s >= (samples.at(-1)?.s ?? 0) / 2);
    const slope = (xs: typeof samples) => {
      if (xs.length < 2) return 0;
      const mx = xs.reduce((a, x) => a + x.s, 0) / xs.length;
      const my = xs.reduce((a, x) => a + x.mib, 0) / xs.length;
      const num = xs.reduce((a, x) => a + (x.s - mx) * (x.mib - my), 0);
      const den = xs.reduce((a, x) => a + (x.s - mx) ** 2, 0);
      return den > 0 ? (num / den) * 60 : 0;
    };
    const secondHalfGrowth = (half.at(-1)?.mib ?? 0) - (half[0]?.mib ?? 0);
    const row: SoakRow = {
      requests: r.outcomes.length,
      connections: o.connections,
      durationS: r.durationS,
      statuses,
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, statusCounts(v)])),
      fiveXX: fiveHundreds(statuses),
      latencyMs: latency(r.outcomes.map((x) => x.ms)),
      rssMiB: {
        start: mib[0] ?? 0,
        end: mib.at(-1) ?? 0,
        peak: Math.max(...mib),
        samples: samples.length,
        slopeMiBPerMin: slope(samples),
        secondHalfSlopeMiBPerMin: slope(half),
      },
      flat: secondHalfGrowth < 0.1 * (half[0]?.mib ?? 0),
      note: `${valid.length} valid (each once), replays of accepted ones, broken proofs on ${reserved} requests kept for them, 6 kinds of malformed request; every other valid and invalid presentation with its holder view's ticket; RSS sampled every second`,
    };
    process.stderr.write(
      `  ${row.fiveXX} 5xx; RSS ${row.rssMiB.start.toFixed(0)} → ${row.rssMiB.end.toFixed(0)} MiB (peak ${row.rssMiB.peak.toFixed(0)}), ${row.rssMiB.secondHalfSlopeMiBPerMin.toFixed(1)} MiB/min over the second half: ${row.flat ? 'flat' : 'growing'}; ${JSON.stringify(row.byKind)}\n`,
    );
    return row;
  } finally {
    await d.close();
  }
}
