/**
 * Benchmarks (not tests): `npm run bench [-- --runs N --warmup N --json FILE]`.
 * Measures the default circuit instance: constraints, witness time, prove time (zkid's prover and
 * snarkjs's), verify time (verifier core and plain snarkjs), proof and artifact sizes. Medians and
 * spread over N runs after a warm-up. Progress goes to stderr; results to stdout (and --json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Command } from 'commander';
import * as snarkjs from 'snarkjs';
import { circuitBuild } from '../src/circuit/artifacts-node.ts';
import { holderCommitment } from '../src/credential/holder.ts';
import { issuerKeyFromPrivate, signCredential } from '../src/credential/issuer.ts';
import { parseCredential } from '../src/credential/schema.ts';
import { toDecimal } from '../src/field.ts';
import { enableWasmPoseidon } from '../src/poseidon-wasm.ts';
import { groth16Prove, prepareZkey } from '../src/prover/groth16-prove.ts';
import { buildCircuitInput, computeWitness } from '../src/prover/witness.ts';
import { createProofRequest } from '../src/request.ts';
import { RevocationTree } from '../src/revocation/tree.ts';
import { terminateCurve } from '../src/verifier/groth16-checks.ts';
import { verifyPresentation } from '../src/verifier/verify-presentation.ts';

const opts = new Command()
  .option('--runs <n>', 'measured runs per figure', '9')
  .option('--warmup <n>', 'warm-up runs', '2')
  .option('--json <file>', 'write results as JSON')
  .parse()
  .opts<{ runs: string; warmup: string; json?: string }>();
const RUNS = Number(opts.runs);
const WARMUP = Number(opts.warmup);

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

async function measure(label: string, f: () => Promise<unknown>): Promise<Stat> {
  for (let i = 0; i < WARMUP; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
    process.stderr.write(`\r  ${label}: ${i + 1}/${RUNS}`);
  }
  xs.sort((a, b) => a - b);
  const stat = { median: xs[xs.length >> 1] as number, min: xs[0] as number, max: xs[xs.length - 1] as number, runs: RUNS };
  process.stderr.write(`\r  ${label}: median ${stat.median.toFixed(1)} ms (min ${stat.min.toFixed(1)}, max ${stat.max.toFixed(1)})\n`);
  return stat;
}

export function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
  };
}

async function main() {
  await enableWasmPoseidon();
  const build = circuitBuild();
  process.stderr.write(`benchmark: ${build.instance}, ${RUNS} runs after ${WARMUP} warm-up\n`);
  const key = await issuerKeyFromPrivate('0001020304050607080910111213141516171819202122232425262728293031');
  const secret = 987654321n;
  const serial = 252n * 4242n + 7n;
  const tree = new RevocationTree();
  tree.revokeMany([serial - 1n, serial + 1n]);
  const credential = parseCredential(
    await signCredential(key, {
      attributes: {
        idNumber: '11010519491231002X',
        birthDate: 19491231,
        validUntil: 20391231,
        region: 110105,
        nationality: 156,
        documentType: 1,
      },
      serial,
      holderCommitment: holderCommitment(secret),
    }),
  );
  const request = createProofRequest({
    policy: {
      name: 'bench',
      predicates: [
        { attribute: 'birthDate', op: 'AGE_GTE', value: 18 },
        { attribute: 'nationality', op: 'IN', value: [156, 344, 446] },
        { attribute: 'region', op: 'BETWEEN', value: [110000, 119999] },
        { attribute: 'documentType', op: 'EQ', value: 1 },
      ],
      disclose: ['nationality'],
    },
    serviceId: 'bench.example',
    issuers: [key.publicKey],
    roots: [toDecimal(tree.root)],
    ttlSeconds: 3600,
  });
  const wasm = new Uint8Array(readFileSync(build.wasm.location));
  const zkey = new Uint8Array(readFileSync(build.zkey.location));
  const input = buildCircuitInput({ credential, holderSecret: secret, request, revocation: tree.witness(serial) });
  const wtns = await computeWitness(wasm, input);
  const prepared = await prepareZkey(zkey);

  const witnessMs = await measure('witness', () => computeWitness(wasm, input));
  const proveMs = await measure('prove (zkid prover)', () => groth16Prove(prepared, wtns));
  const snarkjsProveMs = await measure('prove (snarkjs groth16.prove)', () =>
    snarkjs.groth16.prove({ type: 'mem', data: zkey }, { type: 'mem', data: wtns }),
  );
  const { proof, publicSignals } = await groth16Prove(prepared, wtns);
  const presentation = { requestId: request.id, circuit: request.circuit, proof, publicSignals };
  const verifyMs = await measure('verify (verifier core)', async () => {
    const v = await verifyPresentation(presentation, request, { verificationKey: build.verificationKey });
    if (!v.verified) throw new Error(`bench proof rejected: ${v.code}`);
  });
  const snarkjsVerifyMs = await measure('verify (snarkjs groth16.verify)', () =>
    snarkjs.groth16.verify(build.verificationKey, publicSignals, proof),
  );

  const m = build.manifest;
  const result = {
    circuit: m.instance,
    params: m.params,
    protocol: 'groth16',
    constraints: m.constraints,
    wires: m.wires,
    publicInputs: m.publicInputs,
    publicSignals: m.nPublic,
    witnessMs: witnessMs.median,
    proveMs: proveMs.median,
    snarkjsProveMs: snarkjsProveMs.median,
    verifyMs: verifyMs.median,
    snarkjsVerifyMs: snarkjsVerifyMs.median,
    proofBytes: JSON.stringify(proof).length,
    zkeyBytes: m.artifacts.zkey.bytes,
    wasmBytes: m.artifacts.wasm.bytes,
    stats: { witnessMs, proveMs, snarkjsProveMs, verifyMs, snarkjsVerifyMs },
  };
  const out = { date: new Date().toISOString(), machine: machine(), results: [result] };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
}

main()
  .catch((e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => terminateCurve());
