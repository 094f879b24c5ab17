pragma circom 2.1.6;

include "poseidon.circom";
include "eddsaposeidon.circom";
include "babyjub.circom";

// CredentialCheck
// Proves that the holder knows an issuer-signed credential that is bound to the holder's secret.
//
// Params:   SLOTS            number of attribute slots in the schema (8 in schema v1)
//           SCHEMA_VERSION   the schema version hashed in front of the slots
// Inputs:   slots[SLOTS]     credential slots (private); slots[SLOTS-1] is holderCommitment
//           holderSecret     private; never seen by the issuer
//           issuerAx/Ay      issuer's public key (public in the main circuit)
//           sigR8x/R8y/S     EdDSA-Poseidon signature on credentialHash (private)
// Outputs:  credentialHash   Poseidon(SCHEMA_VERSION, slots...)
// Caller must: make issuerAx/issuerAy public inputs and check them against a trust list off-circuit.
template CredentialCheck(SLOTS, SCHEMA_VERSION) {
    signal input slots[SLOTS];
    signal input holderSecret;
    signal input issuerAx;
    signal input issuerAy;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    signal output credentialHash;

    // Holder binding: only the holder who knows the secret behind holderCommitment can prove.
    signal commitment <== Poseidon(1)([holderSecret]);
    slots[SLOTS - 1] === commitment;

    component h = Poseidon(SLOTS + 1);
    h.inputs[0] <== SCHEMA_VERSION;
    for (var i = 0; i < SLOTS; i++) h.inputs[i + 1] <== slots[i];
    credentialHash <== h.out;

    // Defence in depth: R8 must lie on BabyJubJub (circomlib's verifier does not check it).
    component r8OnCurve = BabyCheck();
    r8OnCurve.x <== sigR8x;
    r8OnCurve.y <== sigR8y;

    // `enabled` is wired to the constant 1, never an input: the signature check cannot be switched off.
    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== 1;
    sig.Ax <== issuerAx;
    sig.Ay <== issuerAy;
    sig.S <== sigS;
    sig.R8x <== sigR8x;
    sig.R8y <== sigR8y;
    sig.M <== credentialHash;
}
