/**
 * Shared fixtures for circuit, prover and verifier tests: a fixed issuer key, holder, credential,
 * revocation tree and request builder, plus raw helpers that bypass the library's own validation
 * so the circuit itself can be shown to reject bad statements.
 */
import { readFileSync } from 'node:fs';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { encodeStatement } from '../../src/circuit/encoding.ts';
import { circuitParams } from '../../src/circuit/registry.ts';
import { signPoseidon } from '../../src/credential/eddsa.ts';
import { holderCommitment } from '../../src/credential/holder.ts';
import { type IssuerKey, issuerKeyFromPrivate, signCredential } from '../../src/credential/issuer.ts';
import { type Credential, type CredentialAttributes, credentialHash } from '../../src/credential/schema.ts';
import { toDecimal } from '../../src/field.ts';
import type { Policy } from '../../src/policy.ts';
import { enableWasmPoseidon } from '../../src/poseidon-wasm.ts';
import { type GenerateProofOptions, generateProof } from '../../src/prover/generate-proof.ts';
import type { CircuitInput } from '../../src/prover/witness.ts';
import { createProofRequest, type ProofRequest } from '../../src/request.ts';
import { RevocationTree } from '../../src/revocation/tree.ts';
import { verifyPresentation } from '../../src/verifier/verify-presentation.ts';

await enableWasmPoseidon();

export const TODAY = 20261125;
export const ISSUER_PRIVATE = '0001020304050607080910111213141516171819202122232425262728293031';
export const OTHER_ISSUER_PRIVATE = 'ff01020304050607080910111213141516171819202122232425262728293031';
export const HOLDER_SECRET = 123456789012345678901234567890n;
export const SERIAL = 252n * 1000n + 17n;
export const SERVICE = 'shop.example';

/** An adult born exactly 18 years before TODAY. */
export const ATTRIBUTES: CredentialAttributes = {
  idNumber: 'E12345678',
  birthDate: 20081125,
  validUntil: 20301231,
  region: 110105,
  nationality: 156,
  documentType: 2,
};

export const build = circuitBuild();
export const params = circuitParams(build.instance);
export const wasm = new Uint8Array(readFileSync(build.wasm.location));
export const artifacts = { wasm: build.wasm, zkey: build.zkey };

export function issuer(which: 'main' | 'other' = 'main'): Promise<IssuerKey> {
  return issuerKeyFromPrivate(which === 'main' ? ISSUER_PRIVATE : OTHER_ISSUER_PRIVATE);
}

export async function credentialFor(
  o: { attributes?: Partial<CredentialAttributes>; serial?: bigint; secret?: bigint; key?: IssuerKey } = {},
): Promise<Credential> {
  return signCredential(o.key ?? (await issuer()), {
    attributes: { ...ATTRIBUTES, ...o.attributes },
    serial: o.serial ?? SERIAL,
    holderCommitment: holderCommitment(o.secret ?? HOLDER_SECRET),
  });
}

export function tree(revoked: bigint[] = []): RevocationTree {
  const t = new RevocationTree();
  if (revoked.length) t.revokeMany(revoked);
  return t;
}

export async function request(
  policy: Policy,
  o: { tree?: RevocationTree; today?: number; serviceId?: string; key?: IssuerKey } = {},
): Promise<ProofRequest> {
  const key = o.key ?? (await issuer());
  return createProofRequest({
    policy,
    serviceId: o.serviceId ?? SERVICE,
    issuers: [key.publicKey],
    roots: [toDecimal((o.tree ?? tree()).root)],
    today: o.today ?? TODAY,
    circuit: build.instance,
  });
}

/** Sign arbitrary slots (no schema validation): for credentials the library would refuse to issue. */
export async function rawSign(privateHex: string, slots: bigint[]): Promise<{ R8: [string, string]; S: string }> {
  const sig = signPoseidon(Buffer.from(privateHex, 'hex'), credentialHash(slots));
  return { R8: [toDecimal(sig.R8[0]), toDecimal(sig.R8[1])], S: toDecimal(sig.S) };
}

/**
 * Circuit input built straight from slot values, for statements the library refuses to prove.
 * slots: idNumber, birthDate, validUntil, region, nationality, documentType, serial, holderCommitment.
 */
export async function rawInput(o: {
  slots: bigint[];
  secret?: bigint;
  key?: IssuerKey;
  signWith?: string;
  tree?: RevocationTree;
  policy: Policy;
  today?: number;
  scope?: bigint;
  challenge?: bigint;
  /** take the revocation witness of this serial instead of the credential's */
  revSerial?: bigint;
}): Promise<CircuitInput> {
  const key = o.key ?? (await issuer());
  const sig = await rawSign(o.signWith ?? key.privateKey, o.slots);
  const t = o.tree ?? tree();
  const w = t.witness(o.revSerial ?? (o.slots[6] as bigint));
  const enc = encodeStatement(params, { today: o.today ?? TODAY, disclose: o.policy.disclose, predicates: o.policy.predicates });
  return {
    issuerAx: key.publicKey[0],
    issuerAy: key.publicKey[1],
    revocationRoot: toDecimal(t.root),
    scope: toDecimal(o.scope ?? 42n),
    challenge: toDecimal(o.challenge ?? 7n),
    setHash: toDecimal(enc.setHash),
    request: enc.request.map(toDecimal),
    slots: o.slots.map(toDecimal),
    holderSecret: toDecimal(o.secret ?? HOLDER_SECRET),
    sigR8x: sig.R8[0],
    sigR8y: sig.R8[1],
    sigS: sig.S,
    revLeaf: toDecimal(w.leaf),
    revSiblings: w.siblings.map((l) => l.map(toDecimal)),
    set: enc.set.map(toDecimal),
  };
}

export const policy = (predicates: Policy['predicates'], disclose: Policy['disclose'] = [], extra: Partial<Policy> = {}): Policy => ({
  name: 'test',
  predicates,
  disclose,
  ...extra,
});

/**
 * generateProof with the test credential and secret for `req` (revocation path from `t`, the
 * committed artifacts, `extra` merged over), then the verifier's verdict.
 */
export async function proveVerified(req: ProofRequest, t: RevocationTree, extra: Partial<GenerateProofOptions> = {}): Promise<boolean> {
  const presentation = await generateProof({
    credential: await credentialFor(),
    holderSecret: HOLDER_SECRET,
    request: req,
    revocation: t.witness(SERIAL),
    artifacts,
    ...extra,
  });
  return (await verifyPresentation(presentation, req, { verificationKey: build.verificationKey })).verified;
}
