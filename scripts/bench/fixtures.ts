/**
 * Valid inputs for every circuit the benchmark measures, built the way a holder builds them: an
 * issuer-signed credential, a revocation tree of the instance's shape with other serials revoked
 * around the holder's, a proof request with K predicates of mixed operators, and a verifier for
 * the resulting proof.
 */
import * as snarkjs from 'snarkjs';
import { circuitParams, DEFAULT_CIRCUIT, listCircuits } from '../../src/circuit/registry.ts';
import { holderCommitment } from '../../src/credential/holder.ts';
import { issuerKeyFromPrivate, signCredential } from '../../src/credential/issuer.ts';
import { parseCredential } from '../../src/credential/schema.ts';
import { toDecimal } from '../../src/field.ts';
import type { Predicate } from '../../src/policy.ts';
import { buildCircuitInput } from '../../src/prover/witness.ts';
import { createProofRequest, type Groth16Proof, type ProofRequest } from '../../src/request.ts';
import { RevocationTree, type TreeShape } from '../../src/revocation/tree.ts';
import type { VerificationKey } from '../../src/verifier/groth16-checks.ts';
import { groth16VerifyMcl } from '../../src/verifier/groth16-mcl.ts';
import { verifyPresentation } from '../../src/verifier/verify-presentation.ts';
import type { Protocol } from './types.ts';

/** Which statement a circuit proves, hence how its input is built and its proof verified. */
export type CircuitKind = 'presentation' | 'presentation-smt' | 'revocation' | 'revocation-smt';

/** The holder's serial: leaf 4242, bit 7 (fits every tree of the sweep, 2^16 leaves and up). */
export const SERIAL = 252n * 4242n + 7n;
const SECRET = 987654321n;
const ISSUER_PRIVATE = '0001020304050607080910111213141516171819202122232425262728293031';
/** Other revoked serials: the neighbours in the same leaf, and a spread of others. */
const OTHER_REVOKED = 1000;

/**
 * The predicate slots in order; a circuit with K slots gets the first K (AGE_GTE, IN, BETWEEN and
 * EQ are the default instance's benchmark policy). Every one holds for the fixture credential.
 */
export const PREDICATES: Predicate[] = [
  { attribute: 'birthDate', op: 'AGE_GTE', value: 18 },
  { attribute: 'nationality', op: 'IN', value: [156, 344, 446] },
  { attribute: 'region', op: 'BETWEEN', value: [110000, 119999] },
  { attribute: 'documentType', op: 'EQ', value: 1 },
  { attribute: 'validUntil', op: 'GTE', value: 20300101 },
  { attribute: 'nationality', op: 'NE', value: 840 },
  { attribute: 'birthDate', op: 'LT', value: 20000101 },
  { attribute: 'region', op: 'NIN', value: [156, 344, 446] },
];

export interface Fixture {
  input: Record<string, unknown>;
  /** Verify with the verifier zkid uses (Groth16: verifyPresentation or the mcl-wasm core; else snarkjs). */
  verify(protocol: Protocol, vkey: unknown, proof: unknown, publicSignals: string[]): Promise<boolean>;
}

/** Deterministic spread of revoked serials below `capacity` (a linear congruential walk). */
function otherSerials(capacity: bigint, n: number): bigint[] {
  const out: bigint[] = [SERIAL - 1n, SERIAL + 1n];
  let x = 12345n;
  while (out.length < n) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    const s = x % capacity;
    if (s !== SERIAL) out.push(s);
  }
  return out;
}

async function credential() {
  const key = await issuerKeyFromPrivate(ISSUER_PRIVATE);
  const cred = parseCredential(
    await signCredential(key, {
      attributes: {
        idNumber: '11010519491231002X',
        birthDate: 19491231,
        validUntil: 20391231,
        region: 110105,
        nationality: 156,
        documentType: 1,
      },
      serial: SERIAL,
      holderCommitment: holderCommitment(SECRET),
    }),
  );
  return { key, cred };
}

/** A registry instance whose statement encoding (K, SET_SIZE) the SMT baseline shares. */
function instanceWith(k: number, setSize: number): string {
  const name = [DEFAULT_CIRCUIT, ...listCircuits()].find((n) => {
    const p = circuitParams(n);
    return p.predicates === k && p.setSize === setSize;
  });
  if (!name) throw new Error(`no instance in circuits/instances.json has K=${k} and SET_SIZE=${setSize}`);
  return name;
}

function request(circuit: string, k: number, issuer: [string, string], root: bigint): ProofRequest {
  return createProofRequest({
    policy: { name: 'bench', predicates: PREDICATES.slice(0, k), disclose: ['nationality'] },
    serviceId: 'bench.example',
    issuers: [issuer],
    roots: [toDecimal(root)],
    circuit,
    ttlSeconds: 24 * 3600,
  });
}

/**
 * What a holder passes to generateProof for `circuit` (a presentation instance): the signed
 * credential, the secret, a request with the instance's K predicates, and the revocation witness
 * from a tree of the instance's shape with other serials revoked. The memory benchmark proves with it.
 */
export async function holderFixture(circuit: string = DEFAULT_CIRCUIT) {
  const { key, cred } = await credential();
  const p = circuitParams(circuit);
  const tree = new RevocationTree({ arityBits: p.arityBits, levels: p.levels });
  tree.revokeMany(otherSerials(tree.capacity, OTHER_REVOKED));
  return {
    credential: cred,
    holderSecret: SECRET,
    request: request(circuit, p.predicates, key.publicKey, tree.root),
    revocation: tree.witness(SERIAL),
  };
}

function snarkjsVerify(protocol: Protocol, vkey: unknown, proof: unknown, publicSignals: string[]): Promise<boolean> {
  if (protocol === 'plonk') return snarkjs.plonk.verify(vkey, publicSignals, proof);
  if (protocol === 'fflonk') return snarkjs.fflonk.verify(vkey, publicSignals, proof);
  return snarkjs.groth16.verify(vkey, publicSignals, proof);
}

/** A sparse Merkle tree (circomlib's, Poseidon) with the same revoked serials, and the holder's non-inclusion witness. */
async function smtWitness(levels: number) {
  const { newMemEmptyTrie } = (await import('circomlibjs')) as unknown as {
    newMemEmptyTrie(): Promise<{
      F: { toObject(x: unknown): bigint; e(x: bigint): unknown };
      root: unknown;
      insert(key: bigint, value: bigint): Promise<unknown>;
      find(key: bigint): Promise<{ found: boolean; siblings: unknown[]; notFoundKey: unknown; notFoundValue: unknown; isOld0: boolean }>;
    }>;
  };
  const smt = await newMemEmptyTrie();
  const capacity = 252n * 2n ** 24n;
  for (const s of otherSerials(capacity, OTHER_REVOKED)) await smt.insert(s, 1n);
  const res = await smt.find(SERIAL);
  if (res.found) throw new Error('bench fixture: the holder serial is in the SMT');
  if (res.siblings.length >= levels) throw new Error(`bench fixture: SMT path of ${res.siblings.length} levels does not fit ${levels}`);
  const siblings = res.siblings.map((s) => toDecimal(smt.F.toObject(s)));
  while (siblings.length < levels) siblings.push('0');
  return {
    root: smt.F.toObject(smt.root),
    siblings,
    oldKey: res.isOld0 ? '0' : toDecimal(smt.F.toObject(res.notFoundKey)),
    oldValue: res.isOld0 ? '0' : toDecimal(smt.F.toObject(res.notFoundValue)),
    isOld0: res.isOld0 ? '1' : '0',
  };
}

/**
 * The input and verifier for a circuit.
 * @param circuit the registry instance name (presentations: its params drive the request encoding)
 */
export async function fixtureFor(kind: CircuitKind, circuit: string, params: Record<string, number>): Promise<Fixture> {
  if (kind === 'presentation' || kind === 'presentation-smt') {
    const k = params.K as number;
    const setSize = params.SET_SIZE as number;
    const { key, cred } = await credential();
    let input: Record<string, unknown>;
    let req: ProofRequest;
    if (kind === 'presentation') {
      const shape: TreeShape = { arityBits: params.ARITY_BITS as number, levels: params.LEVELS as number };
      const tree = new RevocationTree(shape);
      tree.revokeMany(otherSerials(tree.capacity, OTHER_REVOKED));
      req = request(circuit, k, key.publicKey, tree.root);
      input = { ...buildCircuitInput({ credential: cred, holderSecret: SECRET, request: req, revocation: tree.witness(SERIAL) }) };
    } else {
      // Same statement encoding as a ZkidPresentation instance with this K and SET_SIZE; only the
      // revocation inputs differ.
      const smt = await smtWitness(params.SMT_LEVELS as number);
      const encodingOf = instanceWith(k, setSize);
      req = request(encodingOf, k, key.publicKey, smt.root);
      const tree = new RevocationTree(); // only to satisfy buildCircuitInput's shape check
      const {
        revLeaf: _leaf,
        revSiblings: _siblings,
        ...rest
      } = buildCircuitInput({
        credential: cred,
        holderSecret: SECRET,
        request: req,
        revocation: { ...tree.witness(SERIAL), root: smt.root },
      });
      input = { ...rest, smtSiblings: smt.siblings, smtOldKey: smt.oldKey, smtOldValue: smt.oldValue, smtIsOld0: smt.isOld0 };
    }
    return {
      input,
      async verify(protocol, vkey, proof, publicSignals) {
        if (protocol !== 'groth16') return snarkjsVerify(protocol, vkey, proof, publicSignals);
        const v = await verifyPresentation({ requestId: req.id, circuit: req.circuit, proof: proof as Groth16Proof, publicSignals }, req, {
          verificationKey: vkey as VerificationKey,
        });
        if (!v.verified) throw new Error(`bench proof rejected: ${v.code} ${v.message}`);
        return true;
      },
    };
  }
  let input: Record<string, unknown>;
  if (kind === 'revocation') {
    const tree = new RevocationTree({ arityBits: params.ARITY_BITS as number, levels: params.LEVELS as number });
    tree.revokeMany(otherSerials(tree.capacity, OTHER_REVOKED));
    const w = tree.witness(SERIAL);
    input = {
      serial: toDecimal(SERIAL),
      leaf: toDecimal(w.leaf),
      siblings: w.siblings.map((l) => l.map(toDecimal)),
      root: toDecimal(w.root),
    };
  } else {
    const smt = await smtWitness(params.LEVELS as number);
    input = {
      serial: toDecimal(SERIAL),
      siblings: smt.siblings,
      oldKey: smt.oldKey,
      oldValue: smt.oldValue,
      isOld0: smt.isOld0,
      root: toDecimal(smt.root),
    };
  }
  return {
    input,
    verify(protocol, vkey, proof, publicSignals) {
      if (protocol !== 'groth16') return snarkjsVerify(protocol, vkey, proof, publicSignals);
      return groth16VerifyMcl(vkey as VerificationKey, publicSignals.map(BigInt), proof as Groth16Proof);
    },
  };
}
