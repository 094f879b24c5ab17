/** zkid for browsers: the holder's side (proving) and the shared types; no Node-only modules. */
export { encodeStatement } from './circuit/encoding.ts';
export { PINNED_ARTIFACTS } from './circuit/pinned-artifacts.ts';
export { circuitParams, DEFAULT_CIRCUIT, publicSignalNames } from './circuit/registry.ts';
export { createHolderSecret, holderCommitment, parseHolderSecret } from './credential/holder.ts';
export { decodeIdNumber, encodeIdNumber } from './credential/id-number.ts';
export {
  type Credential,
  type CredentialAttributes,
  credentialHash,
  credentialSlots,
  parseCredential,
  SLOT_NAMES,
} from './credential/schema.ts';
export { formatDate, parseDate, todayUtc } from './dates.ts';
export { type ErrorCode, isZkidError, ZkidError } from './errors.ts';
export { FIELD_MODULUS, parseFieldElement } from './field.ts';
export { checkServiceOrigin, serviceIdMatchesHost } from './holder/service-origin.ts';
export {
  BUILTIN_POLICIES,
  isIdentifyingPolicy,
  OPERATORS,
  type Operator,
  type Policy,
  type Predicate,
  parsePolicy,
  policyPrivacyProblem,
} from './policy.ts';
export { poseidon } from './poseidon.ts';
export { type ArtifactSource, type ArtifactStore, clearArtifactCache, loadArtifact, setArtifactStore } from './prover/artifacts.ts';
export {
  type GenerateProofOptions,
  generateProof,
  type LinearBaseStore,
  type ProofProgress,
  prepareProof,
  proofBaseSettled,
} from './prover/generate-proof.ts';
export { type Groth16Proof, type Presentation, type ProofRequest, parseProofRequest, scopeFromServiceId } from './request.ts';
export {
  checkSignedRoot,
  parseRootRecord,
  type RootRecord,
  type RootRecordJson,
  type RootSignature,
  verifyRootSignature,
} from './revocation/root.ts';
export {
  type Bucket,
  bucketIndexOf,
  type RevocationWitness,
  type Snapshot,
  witnessFromBucket,
  witnessFromSnapshot,
} from './revocation/tree.ts';
