/**
 * A crash mid-burst: two service instances on one PostgreSQL database get a burst of distinct
 * valid presentations (half of the connections each); once a third of the answers are in, one
 * instance is killed with SIGKILL. A connection to it that fails moves to the survivor (what a
 * balancer's failover does); requests whose connection died with the instance have no answer,
 * and are sent again to the survivor afterwards: each must answer 200 (the dead instance had not
 * committed) or 409 REQUEST_ALREADY_USED (it had committed but not answered).
 *
 * Presentations carry their request's ticket (read from the survivor's holder views before the
 * burst), as the wallet sends them: the instances then skip reading the request, and exactly once
 * rests on the consumption alone.
 *
 * Then the database and the survivor's API are checked: every presentation that got a 200 has
 * its stored verified result; no request got two 200s (a challenge consumed twice); every
 * request of the burst ends verified (none lost); a 409 on resend is backed by a stored result.
 */
import type { Presentation } from '../../src/request.ts';
import { DEMO_RP_KEY } from '../../src/server/config.ts';
import { step } from '../lib/progress.ts';
import { fiveHundreds, runLoad, statusCounts } from './load.ts';
import { type Fixture, requestStatuses } from './service-fixture.ts';
import { deploy, presentationShot, warmUp, withTickets } from './service-scale.ts';
import type { FaultRow } from './types.ts';

export async function benchFaults(fixture: Fixture, o: { connections: number; pgUrl?: string }): Promise<FaultRow> {
  const d = await step('faults: two instances on a fresh PostgreSQL database', () =>
    deploy(fixture, { store: 'postgres', instances: 2, ...(o.pgUrl ? { pgUrl: o.pgUrl } : {}) }),
  );
  try {
    const [victim, survivor] = d.servers;
    if (!victim || !survivor || !d.databaseUrl) throw new Error('faults: the deployment has not two instances');
    await warmUp(d, fixture.presentations);
    const bodies: Presentation[] = await step('faults: the holder views (their tickets)', () =>
      withTickets(survivor.url, fixture.presentations),
    );
    const killAt = Math.max(1, Math.floor(bodies.length / 3));
    let answered = 0;
    let killing: Promise<void> | undefined;
    let next = 0;
    const burst = await step(
      `faults: ${bodies.length} presentations, ${o.connections} connections, SIGKILL one instance after ${killAt} answers`,
      () =>
        runLoad<Presentation>([victim.url, survivor.url], {
          connections: o.connections,
          next: () => bodies[next++],
          shotOf: presentationShot,
          failover: true,
          onOutcome: (out) => {
            if (out.status !== 0 && ++answered === killAt) killing = victim.kill();
          },
        }),
    );
    await killing;
    const unanswered = burst.outcomes.filter((x) => x.status === 0).map((x) => x.shot);
    const resend = await step(`faults: resend the ${unanswered.length} unanswered presentations to the survivor`, () => {
      let i = 0;
      return runLoad<Presentation>([survivor.url], {
        connections: 1,
        next: () => unanswered[i++],
        shotOf: presentationShot,
        keepBodies: true,
      });
    });
    const ok = new Map<string, number>();
    for (const x of [...burst.outcomes, ...resend.outcomes])
      if (x.status === 200) ok.set(x.shot.requestId, (ok.get(x.shot.requestId) ?? 0) + 1);
    const ids = bodies.map((p) => p.requestId);
    const stored = await requestStatuses(d.databaseUrl, ids);
    const isVerified = (id: string) => stored.get(id)?.status === 'verified' && stored.get(id)?.hasResult === true;
    // The survivor's API answers the same for every request (the relying party's status read).
    let apiVerified = 0;
    for (const id of ids) {
      const r = await fetch(`${survivor.url}/v1/requests/${id}`, { headers: { authorization: `Bearer ${DEMO_RP_KEY}` } });
      const body = (await r.json()) as { status?: string };
      if (r.ok && body.status === 'verified') apiVerified++;
    }
    const resendStatuses = statusCounts(resend.outcomes);
    const resent409 = resend.outcomes.filter((x) => x.status === 409);
    const row: FaultRow = {
      instances: 2,
      presentations: bodies.length,
      connections: o.connections,
      killedAfter: killAt,
      burstStatuses: statusCounts(burst.outcomes),
      unanswered: unanswered.length,
      resendStatuses,
      accepted: ok.size,
      duplicates: [...ok.values()].filter((n) => n > 1).length,
      acceptedWithoutResult: [...ok.keys()].filter((id) => !isVerified(id)).length,
      usedWithoutResult: resent409.filter((x) => !isVerified(x.shot.requestId)).length,
      verifiedInDb: ids.filter(isVerified).length,
      verifiedByApi: apiVerified,
      fiveXX: fiveHundreds(statusCounts(burst.outcomes)) + fiveHundreds(resendStatuses),
      passed: false,
      note: "SIGKILL after a third of the answers; failed connections move to the survivor; unanswered ones resent to it; presentations with their holder view's tickets",
    };
    row.passed =
      row.duplicates === 0 &&
      row.acceptedWithoutResult === 0 &&
      row.usedWithoutResult === 0 &&
      row.verifiedInDb === bodies.length &&
      row.verifiedByApi === bodies.length &&
      row.fiveXX === 0 &&
      resend.outcomes.every((x) => x.status === 200 || (x.status === 409 && (x.body ?? '').includes('REQUEST_ALREADY_USED')));
    process.stderr.write(
      `  ${row.passed ? '✔ passed' : '✘ FAILED'}: burst ${JSON.stringify(row.burstStatuses)}, ${row.unanswered} unanswered, resent ${JSON.stringify(resendStatuses)}; ${row.accepted} accepted, ${row.verifiedInDb}/${bodies.length} verified in the database (${row.verifiedByApi} by the API), ${row.duplicates} duplicates, ${row.acceptedWithoutResult} accepted without a result\n`,
    );
    return row;
  } finally {
    await d.close();
  }
}
