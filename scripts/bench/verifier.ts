/**
 * The verifier core's throughput: verifyPresentation one at a time against verifyPresentations
 * on batches, on distinct valid presentations of the default circuit (one real proof, then
 * Groth16 re-randomisation; every check runs per presentation, as in the service). Measured in
 * the bench's own process, one core (mcl-wasm is single-threaded).
 */
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { createHolderSecret, holderCommitment } from '../../src/credential/holder.ts';
import { issuerKeyFromPrivate, signCredential } from '../../src/credential/issuer.ts';
import { toDecimal } from '../../src/field.ts';
import { BUILTIN_POLICIES, type Policy } from '../../src/policy.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import { createProofRequest, type Presentation } from '../../src/request.ts';
import { RevocationTree } from '../../src/revocation/tree.ts';
import { prepareVerifier } from '../../src/verifier/groth16-mcl.ts';
import { verifyPresentation, verifyPresentations } from '../../src/verifier/verify-presentation.ts';
import { rerandomiseProof } from '../lib/rerandomise.ts';
import { measure } from './stats.ts';
import type { VerifierRow } from './types.ts';

const ISSUER = '0001020304050607080910111213141516171819202122232425262728293031';

export async function measureVerifier(o: { sizes: number[]; runs: number; warmup: number }): Promise<VerifierRow[]> {
  const build = circuitBuild();
  const vk = build.verificationKey;
  await prepareVerifier(vk);
  const key = await issuerKeyFromPrivate(ISSUER);
  const secret = createHolderSecret();
  const serial = 252n * 77n + 5n;
  const credential = await signCredential(key, {
    attributes: { idNumber: 'E12345678', birthDate: 19900101, validUntil: 20991231, region: 110105, nationality: 156, documentType: 2 },
    serial,
    holderCommitment: toDecimal(holderCommitment(secret)),
  });
  const tree = new RevocationTree();
  const request = createProofRequest({
    policy: BUILTIN_POLICIES.over18 as Policy,
    serviceId: 'bench.example',
    issuers: [key.publicKey],
    roots: [toDecimal(tree.root)],
    ttlSeconds: 3600,
  });
  const proved = await generateProof({
    credential,
    holderSecret: secret,
    request,
    revocation: tree.witness(serial),
    artifacts: { wasm: build.wasm, zkey: build.zkey },
  });
  const largest = Math.max(...o.sizes);
  const presentations: Presentation[] = Array.from({ length: largest }, () => ({ ...proved, proof: rerandomiseProof(proved.proof, vk) }));
  const rows: VerifierRow[] = [];

  const single = await measure(
    `verifyPresentation x ${largest}`,
    async () => {
      for (const p of presentations) {
        const v = await verifyPresentation(p, request, { verificationKey: vk });
        if (!v.verified) throw new Error(`a valid presentation was rejected: ${v.code}`);
      }
    },
    o,
  );
  const perProof = (ms: number, n: number) => ms / n;
  rows.push({
    mode: 'single',
    batchSize: 1,
    perProofMs: perProof(single.median, largest),
    proofsPerSecond: (1000 * largest) / single.median,
    runs: single.runs,
  });
  for (const size of o.sizes) {
    const items = presentations.slice(0, size).map((presentation) => ({ presentation, request }));
    const s = await measure(
      `verifyPresentations batch of ${size}`,
      async () => {
        const vs = await verifyPresentations(items, { verificationKey: vk });
        if (vs.some((v) => !v.verified)) throw new Error('a valid presentation was rejected in a batch');
      },
      o,
    );
    rows.push({
      mode: 'batch',
      batchSize: size,
      perProofMs: perProof(s.median, size),
      proofsPerSecond: (1000 * size) / s.median,
      runs: s.runs,
    });
  }
  return rows;
}
