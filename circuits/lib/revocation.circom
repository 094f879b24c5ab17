pragma circom 2.1.6;

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";
include "multiplexer.circom";

// OneHot(N): out[i] = (in == i); fails unless 0 <= in < N.
// circomlib's Decoder leaves out[in] free and only makes `success` boolean; forcing success == 1
// makes out a true one-hot vector (exactly one entry, equal to 1, at position `in`).
template OneHot(N) {
    signal input in;
    signal output out[N];
    component d = Decoder(N);
    d.inp <== in;
    d.success === 1;
    for (var i = 0; i < N; i++) out[i] <== d.out[i];
}

// InsertAt(A): children = siblings with `cur` inserted at position `pos` (one-hot `sel`).
// Params:  A              arity (children per node)
// Inputs:  cur            the hash on the path; siblings[A-1] the other children in order
//          sel[A]         one-hot position of cur (caller guarantees one-hot)
// Outputs: children[A]
template InsertAt(A) {
    signal input cur;
    signal input siblings[A - 1];
    signal input sel[A];
    signal output children[A];

    // after[k] = 1 when pos > k (cur comes later), linear in sel.
    var after[A];
    for (var k = 0; k < A; k++) {
        var s = 0;
        for (var i = k + 1; i < A; i++) s += sel[i];
        after[k] = s;
    }
    signal a[A];
    signal b[A];
    // children[0] = pos > 0 ? siblings[0] : cur
    children[0] <== siblings[0] + sel[0] * (cur - siblings[0]);
    a[0] <== 0; b[0] <== 0;
    for (var k = 1; k < A - 1; k++) {
        // pos > k: siblings[k]; pos == k: cur; pos < k: siblings[k-1]
        a[k] <== after[k] * (siblings[k] - siblings[k - 1]);
        b[k] <== sel[k] * (cur - siblings[k - 1]);
        children[k] <== siblings[k - 1] + a[k] + b[k];
    }
    a[A - 1] <== 0; b[A - 1] <== 0;
    children[A - 1] <== siblings[A - 2] + sel[A - 1] * (cur - siblings[A - 2]);
}

// BitmapNonRevocation
// Proves that credential serial `serial` is not revoked in a sparse Poseidon tree whose leaves
// are 252-bit bitmaps: leaf j, bit b stands for serial 252*j + b (bit = 1: revoked).
//
// Params:  ARITY_BITS   log2 of the node arity (3: 8-ary nodes, Poseidon(8))
//          LEVELS       tree levels; the leaf index has ARITY_BITS*LEVELS bits
// Inputs:  serial       the credential's revocation serial (private)
//          leaf         the bitmap leaf holding the serial (private)
//          siblings     per level, the other A-1 children in order (private)
//          root         the revocation root (public in the main circuit)
// Caller must: check off-circuit that `root` is a root the issuer published recently.
template BitmapNonRevocation(ARITY_BITS, LEVELS) {
    var A = 1 << ARITY_BITS;
    var INDEX_BITS = ARITY_BITS * LEVELS;
    signal input serial;
    signal input leaf;
    signal input siblings[LEVELS][A - 1];
    signal input root;

    // serial = 252*j + b with j < 2^INDEX_BITS and b < 252, so the split is unique.
    signal j <-- serial \ 252;
    signal b <-- serial % 252;
    serial === 252 * j + b;
    // Index bits are boolean and j fits INDEX_BITS (Num2Bits constrains both).
    component jBits = Num2Bits(INDEX_BITS);
    jBits.in <== j;
    // b < 252: without this, bit 252..255 of leaf j (always 0) would "prove" serial 252(j+1)+k.
    component bBits = Num2Bits(8);
    bBits.in <== b;
    component bRange = LessThan(8);
    bRange.in[0] <== b;
    bRange.in[1] <== 252;
    bRange.out === 1;

    // The leaf is a 252-bit bitmap; 2^252 < r, so this decomposition is unique (no alias check needed).
    component leafBits = Num2Bits(252);
    leafBits.in <== leaf;

    // Two-level selection of bit b: chunk b>>4 of 16 bits, then bit b&15 of that chunk.
    var hiIdx = 0;
    var loIdx = 0;
    for (var i = 0; i < 4; i++) {
        loIdx += bBits.out[i] * (1 << i);
        hiIdx += bBits.out[4 + i] * (1 << i);
    }
    component hiSel = OneHot(16);
    hiSel.in <== hiIdx;
    component loSel = OneHot(16);
    loSel.in <== loIdx;
    signal chunkTerm[16];
    var chunk = 0;
    for (var c = 0; c < 16; c++) {
        var v = 0;
        for (var i = 0; i < 16; i++) {
            if (16 * c + i < 252) v += leafBits.out[16 * c + i] * (1 << i);
        }
        chunkTerm[c] <== hiSel.out[c] * v;
        chunk += chunkTerm[c];
    }
    // The selected chunk is a sum of boolean bits weighted by powers of two, hence < 2^16.
    component chunkBits = Num2Bits(16);
    chunkBits.in <== chunk;
    signal bitTerm[16];
    var bit = 0;
    for (var i = 0; i < 16; i++) {
        bitTerm[i] <== loSel.out[i] * chunkBits.out[i];
        bit += bitTerm[i];
    }
    // Not revoked: the serial's bit is 0.
    bit === 0;

    // Path from leaf j to the root; level l uses index digit l (ARITY_BITS bits of j).
    component pos[LEVELS];
    component ins[LEVELS];
    component node[LEVELS];
    signal cur[LEVELS + 1];
    cur[0] <== leaf;
    for (var l = 0; l < LEVELS; l++) {
        var digit = 0;
        for (var i = 0; i < ARITY_BITS; i++) digit += jBits.out[l * ARITY_BITS + i] * (1 << i);
        pos[l] = OneHot(A);
        pos[l].in <== digit;
        ins[l] = InsertAt(A);
        ins[l].cur <== cur[l];
        for (var i = 0; i < A - 1; i++) ins[l].siblings[i] <== siblings[l][i];
        for (var i = 0; i < A; i++) ins[l].sel[i] <== pos[l].out[i];
        node[l] = Poseidon(A);
        for (var i = 0; i < A; i++) node[l].inputs[i] <== ins[l].children[i];
        cur[l + 1] <== node[l].out;
    }
    root === cur[LEVELS];
}
