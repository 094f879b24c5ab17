pragma circom 2.1.6;

// Benchmark baseline (npm run bench), NOT used by the service: the "usual" non-revocation, a
// circomlib sparse Merkle tree with one leaf per revoked serial, in place of zkid's bitmap tree.
// It exists so that the gain of bitmap leaves is measured rather than claimed.

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";
include "smt/smtverifier.circom";
include "credential.circom";
include "predicates.circom";
include "presentation.circom";

// SmtNonRevocation
// Proves that `serial` is not a key of a circomlib sparse Merkle tree (Poseidon, binary, the
// path follows the key's bits from the least significant one). Revoked serials are the keys.
//
// Params:  LEVELS       SMT levels. For serials below 2^32 (zkid allows 252 * 2^24 of them) 32
//                       levels hold every non-inclusion path: a non-member's path ends at an
//                       empty node or a leaf whose key shares fewer than 31 low bits with it, and
//                       SMTLevIns wants the last of the LEVELS siblings to be 0.
// Inputs:  serial       the credential's revocation serial (private)
//          siblings     the path's siblings, padded with 0 to LEVELS (private)
//          oldKey, oldValue, isOld0   the leaf the path ends at (isOld0 = 1: an empty node)
//          root         the revocation root (public in the main circuit)
// Caller must: check off-circuit that `root` is a root the issuer published recently.
template SmtNonRevocation(LEVELS) {
    signal input serial;
    signal input siblings[LEVELS];
    signal input oldKey;
    signal input oldValue;
    signal input isOld0;
    signal input root;

    component smt = SMTVerifier(LEVELS);
    // Wired to constants: the check cannot be switched off or turned into an inclusion proof.
    smt.enabled <== 1;
    smt.fnc <== 1;
    smt.root <== root;
    for (var i = 0; i < LEVELS; i++) smt.siblings[i] <== siblings[i];
    smt.oldKey <== oldKey;
    smt.oldValue <== oldValue;
    // isOld0 selects the state machine's branch; it must be boolean.
    isOld0 * (isOld0 - 1) === 0;
    smt.isOld0 <== isOld0;
    smt.key <== serial;
    // The value is not used by a non-inclusion proof.
    smt.value <== 0;
}

// ZkidPresentationSmt
// ZkidPresentation (presentation.circom) with BitmapNonRevocation replaced by SmtNonRevocation:
// the same public inputs and outputs, statements 1-3 and 5-8 unchanged, written out here because
// circom templates cannot take a component as a parameter. Keep in step with presentation.circom.
//
// Params:  SMT_LEVELS   SMT levels (32 for the same capacity as the default bitmap tree)
//          K, SET_SIZE  as in ZkidPresentation
// Public inputs and outputs: as ZkidPresentation.
template ZkidPresentationSmt(SMT_LEVELS, K, SET_SIZE) {
    var SLOTS = 8;
    var SCHEMA_VERSION = 1;
    var NOPS = N_OPS();
    var W = CMP_BITS();
    var PRED_BITS = SLOTS + NOPS + 2 * W;
    var TOTAL = REQUEST_BITS(SLOTS, K);
    var CHUNKS = REQUEST_CHUNKS(SLOTS, K);

    signal input issuerAx;
    signal input issuerAy;
    signal input revocationRoot;
    signal input scope;
    signal input challenge;
    signal input setHash;
    signal input request[CHUNKS];

    signal input slots[SLOTS];
    signal input holderSecret;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    signal input smtSiblings[SMT_LEVELS];
    signal input smtOldKey;
    signal input smtOldValue;
    signal input smtIsOld0;
    signal input set[SET_SIZE];

    signal output nullifier;
    signal output disclosed[SLOTS];

    // Packed request: chunks of at most 252 bits, so the bits are unique and range-check each field.
    signal bits[TOTAL];
    component unpack[CHUNKS];
    for (var c = 0; c < CHUNKS; c++) {
        var width = TOTAL - 252 * c < 252 ? TOTAL - 252 * c : 252;
        unpack[c] = Num2Bits(width);
        unpack[c].in <== request[c];
        for (var i = 0; i < width; i++) bits[252 * c + i] <== unpack[c].out[i];
    }
    var today = 0;
    for (var i = 0; i < TODAY_BITS(); i++) today += bits[i] * (1 << i);
    signal mask[SLOTS];
    for (var i = 0; i < SLOTS; i++) mask[i] <== bits[TODAY_BITS() + i];

    // 1-2. Holder binding and the issuer's signature.
    component cred = CredentialCheck(SLOTS, SCHEMA_VERSION);
    for (var i = 0; i < SLOTS; i++) cred.slots[i] <== slots[i];
    cred.holderSecret <== holderSecret;
    cred.issuerAx <== issuerAx;
    cred.issuerAy <== issuerAy;
    cred.sigR8x <== sigR8x;
    cred.sigR8y <== sigR8y;
    cred.sigS <== sigS;

    // 3. Unexpired, on 32-bit range-checked values.
    component validRange = Num2Bits(W);
    validRange.in <== slots[2];
    component unexpired = LessThan(W);
    unexpired.in[0] <== today;
    unexpired.in[1] <== slots[2];
    unexpired.out === 1;

    // 4. Not revoked: the serial (slot 6, signed by the issuer) is not a key of the SMT.
    component rev = SmtNonRevocation(SMT_LEVELS);
    rev.serial <== slots[6];
    for (var i = 0; i < SMT_LEVELS; i++) rev.siblings[i] <== smtSiblings[i];
    rev.oldKey <== smtOldKey;
    rev.oldValue <== smtOldValue;
    rev.isOld0 <== smtIsOld0;
    rev.root <== revocationRoot;

    // 5. Predicates over the private set bound to setHash.
    signal setDigest <== Poseidon(SET_SIZE)(set);
    setDigest === setHash;
    component pred[K];
    for (var k = 0; k < K; k++) {
        var base = TODAY_BITS() + SLOTS + k * PRED_BITS;
        pred[k] = Predicate(SLOTS, SET_SIZE);
        var attrSum = 0;
        var opSum = 0;
        for (var i = 0; i < SLOTS; i++) {
            pred[k].slots[i] <== slots[i];
            pred[k].attr[i] <== bits[base + i];
            attrSum += bits[base + i];
        }
        for (var i = 0; i < NOPS; i++) {
            pred[k].op[i] <== bits[base + SLOTS + i];
            opSum += bits[base + SLOTS + i];
        }
        attrSum === 1;
        opSum === 1;
        var a = 0;
        var b = 0;
        for (var i = 0; i < W; i++) {
            a += bits[base + SLOTS + NOPS + i] * (1 << i);
            b += bits[base + SLOTS + NOPS + W + i] * (1 << i);
        }
        pred[k].a <== a;
        pred[k].b <== b;
        pred[k].today <== today;
        for (var i = 0; i < SET_SIZE; i++) pred[k].set[i] <== set[i];
        pred[k].ok === 1;
    }

    // 6. Per-service pseudonym.
    nullifier <== Poseidon(2)([holderSecret, scope]);

    // 7. Bind the challenge.
    signal challengeSquare <== challenge * challenge;

    // 8. Selective disclosure.
    for (var i = 0; i < SLOTS; i++) disclosed[i] <== slots[i] * mask[i];
}
