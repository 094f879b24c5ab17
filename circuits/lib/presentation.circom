pragma circom 2.1.6;

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";
include "credential.circom";
include "revocation.circom";
include "predicates.circom";

// Bits of the packed request (must match src/circuit/encoding.ts):
//   today (27) | mask (SLOTS) | per predicate: attr one-hot (SLOTS) | op one-hot (N_OPS) | a (32) | b (32)
// packed into field elements of at most 252 bits, lowest bits first.
function TODAY_BITS() { return 27; }
function REQUEST_BITS(SLOTS, K) { return TODAY_BITS() + SLOTS + K * (SLOTS + N_OPS() + 2 * CMP_BITS()); }
function REQUEST_CHUNKS(SLOTS, K) { return (REQUEST_BITS(SLOTS, K) + 251) \ 252; }

// ZkidPresentation
// The one general statement: "I hold a credential signed by issuer (Ax, Ay), bound to my secret,
// unexpired on `today`, not revoked under `revocationRoot`, whose attributes satisfy the K
// predicates in `request`; here is my pseudonym for `scope` and the slots `mask` discloses".
//
// Params:  ARITY_BITS, LEVELS   revocation tree shape (arity 2^ARITY_BITS, ARITY_BITS*LEVELS index bits)
//          K                    predicate slots
//          SET_SIZE             size of the IN/NIN set shared by the predicate slots
// Public inputs:  issuerAx, issuerAy, revocationRoot, scope, challenge, setHash, request[]
// Outputs (public): nullifier = Poseidon(holderSecret, scope); disclosed[i] = slots[i] * mask[i]
// Verifier must: check every public input against the request it issued (issuer on its trust
//   list, root recently published, scope, challenge, setHash, request), then the proof.
template ZkidPresentation(ARITY_BITS, LEVELS, K, SET_SIZE) {
    var SLOTS = 8;
    var SCHEMA_VERSION = 1;
    var NOPS = N_OPS();
    var W = CMP_BITS();
    var PRED_BITS = SLOTS + NOPS + 2 * W;
    var TOTAL = REQUEST_BITS(SLOTS, K);
    var CHUNKS = REQUEST_CHUNKS(SLOTS, K);
    var A = 1 << ARITY_BITS;

    // ---- public inputs
    signal input issuerAx;
    signal input issuerAy;
    signal input revocationRoot;
    signal input scope;
    signal input challenge;
    signal input setHash;
    signal input request[CHUNKS];

    // ---- private inputs
    signal input slots[SLOTS];
    signal input holderSecret;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    signal input revLeaf;
    signal input revSiblings[LEVELS][A - 1];
    signal input set[SET_SIZE];

    // ---- outputs
    signal output nullifier;
    signal output disclosed[SLOTS];

    // Decode the packed request. Each chunk has at most 252 bits and 2^252 < r, so the bits are
    // unique (no alias check needed), boolean, and every field below is range-checked by width.
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

    // 3. Unexpired: today < validUntil (slot 2), both range-checked to 32 bits first
    //    (today is 27 bits by construction of the packed request).
    component validRange = Num2Bits(W);
    validRange.in <== slots[2];
    component unexpired = LessThan(W);
    unexpired.in[0] <== today;
    unexpired.in[1] <== slots[2];
    unexpired.out === 1;

    // 4. Not revoked (serial is slot 6).
    component rev = BitmapNonRevocation(ARITY_BITS, LEVELS);
    rev.serial <== slots[6];
    rev.leaf <== revLeaf;
    for (var l = 0; l < LEVELS; l++) for (var i = 0; i < A - 1; i++) rev.siblings[l][i] <== revSiblings[l][i];
    rev.root <== revocationRoot;

    // 5. Predicates. The set is private but bound to the public setHash.
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
        // Exactly one attribute and one operator per slot (the bits are already boolean).
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
        // Every predicate must hold.
        pred[k].ok === 1;
    }

    // 6. Per-service pseudonym: same holder + same scope -> same nullifier; unlinkable across scopes.
    nullifier <== Poseidon(2)([holderSecret, scope]);

    // 7. Bind the challenge: a public input that appears in no constraint could be changed freely.
    signal challengeSquare <== challenge * challenge;

    // 8. Selective disclosure (mask bits are boolean from the unpacking above).
    for (var i = 0; i < SLOTS; i++) disclosed[i] <== slots[i] * mask[i];
}
