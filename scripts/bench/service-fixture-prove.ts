/**
 * A proving child of the service fixture (scripts/bench/service-fixture.ts): reads a job file
 * (holder, bucket, proof requests), proves each request in turn and writes one presentation per
 * line (JSON) to stdout, so the parent can show progress and keep what is done if stopped.
 * Usage: node --import tsx scripts/bench/service-fixture-prove.ts <job.json>
 */
import { readFileSync } from 'node:fs';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import type { Credential } from '../../src/credential/schema.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import type { ProofRequest } from '../../src/request.ts';
import type { Bucket } from '../../src/revocation/tree.ts';

export interface ProveJob {
  credential: Credential;
  /** the holder secret, decimal */
  secret: string;
  bucket: Bucket;
  requests: ProofRequest[];
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new TypeError('usage: service-fixture-prove.ts <job.json>');
  const job = JSON.parse(readFileSync(file, 'utf8')) as ProveJob;
  const build = circuitBuild();
  for (const request of job.requests) {
    const p = await generateProof({
      credential: job.credential,
      holderSecret: BigInt(job.secret),
      request,
      revocation: job.bucket,
      artifacts: { wasm: build.wasm, zkey: build.zkey },
    });
    await new Promise<void>((res, rej) => process.stdout.write(`${JSON.stringify(p)}\n`, (e) => (e ? rej(e) : res())));
  }
}

main().then(
  // snarkjs's worker threads would keep the process alive: everything is written, so leave.
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`service-fixture-prove: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
