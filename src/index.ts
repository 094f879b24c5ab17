/** zkid: zero-knowledge proofs of national-ID attributes. The public surface for Node. */

export { type CircuitBuild, circuitBuild, type Manifest } from './circuit/artifacts-node.ts';
export {
  generateIssuerKey,
  type IssuerKey,
  issuerKeyFromPrivate,
  randomSerial,
  signCredential,
  verifyCredentialSignature,
} from './credential/issuer.ts';
export { validateAttributes } from './credential/schema.ts';
export * from './index.browser.ts';
export { createProofRequest } from './request.ts';
export { createRootSigner, type RootSigner } from './revocation/root-signer.ts';
export { RevocationTree, type Snapshot } from './revocation/tree.ts';
export { terminateCurve } from './verifier/curve.ts';
export type { VerificationKey } from './verifier/groth16-checks.ts';
export {
  type BatchItem,
  type Verdict,
  type VerifyErrorCode,
  verifyPresentation,
  verifyPresentations,
} from './verifier/verify-presentation.ts';
