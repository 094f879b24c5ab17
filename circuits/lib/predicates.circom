pragma circom 2.1.6;

include "comparators.circom";
include "bitify.circom";

// Operator positions in the one-hot operator vector (must match src/circuit/encoding.ts).
function OP_NONE() { return 0; }
function OP_EQ() { return 1; }
function OP_NE() { return 2; }
function OP_LT() { return 3; }
function OP_LTE() { return 4; }
function OP_GT() { return 5; }
function OP_GTE() { return 6; }
function OP_BETWEEN() { return 7; }
function OP_IN() { return 8; }
function OP_NIN() { return 9; }
function OP_AGE_GTE() { return 10; }
function N_OPS() { return 11; }
// Width of every order comparison: values, operands and dates are checked to fit 32 bits.
function CMP_BITS() { return 32; }

// Predicate
// One predicate slot: `slots[attr] OP (a, b)` must hold.
//
// Params:  SLOTS          number of credential slots
//          SET_SIZE       size of the IN/NIN set
// Inputs:  slots[SLOTS]   credential slots (private)
//          attr[SLOTS]    one-hot attribute selector (public, from the packed request)
//          op[N_OPS()]    one-hot operator (public, from the packed request)
//          a, b           operands, each < 2^32 (public, from the packed request)
//          today          YYYYMMDD, < 2^27 (public, from the packed request)
//          set[SET_SIZE]  the IN/NIN set (private; its hash is public)
// Output:  ok             1 when the predicate holds; the main circuit forces it to 1.
// Caller must: give attr, op as boolean one-hot vectors and a, b, today range-checked (the
//              packed-input decoder does both).
template Predicate(SLOTS, SET_SIZE) {
    signal input slots[SLOTS];
    signal input attr[SLOTS];
    signal input op[N_OPS()];
    signal input a;
    signal input b;
    signal input today;
    signal input set[SET_SIZE];
    signal output ok;

    // The selected attribute value.
    signal term[SLOTS];
    var v = 0;
    for (var i = 0; i < SLOTS; i++) {
        term[i] <== attr[i] * slots[i];
        v += term[i];
    }

    var isOrder = op[OP_LT()] + op[OP_LTE()] + op[OP_GT()] + op[OP_GTE()] + op[OP_BETWEEN()] + op[OP_AGE_GTE()];
    // No order comparison on hash-like slots (0: idNumber, SLOTS-1: holderCommitment): their
    // values are full field elements, and ordering them would leak bits of the ID number.
    isOrder * (attr[0] + attr[SLOTS - 1]) === 0;

    // The value entering the comparators is range-checked to CMP_BITS first; for other
    // operators it is zeroed so a wide value (an ID number, say) can still be used with EQ/IN.
    signal vc <== v * isOrder;
    component vcRange = Num2Bits(CMP_BITS());
    vcRange.in <== vc;

    // Upper test: left < upper.
    //   LT a: vc < a; LTE a: vc < a+1; BETWEEN a b: vc < b+1;
    //   AGE_GTE y: birthDate + 10000*y < today+1; other operators: vc < 2^32 (always true).
    signal upA <== (op[OP_LT()] + op[OP_LTE()]) * a;
    signal upB <== op[OP_BETWEEN()] * b;
    signal upT <== op[OP_AGE_GTE()] * today;
    var noUpper = 1 - op[OP_LT()] - op[OP_LTE()] - op[OP_BETWEEN()] - op[OP_AGE_GTE()];
    var upper = upA + upB + upT + op[OP_LTE()] + op[OP_BETWEEN()] + op[OP_AGE_GTE()] + noUpper * (1 << CMP_BITS());
    signal ageShift <== op[OP_AGE_GTE()] * a;
    // left < 2^32 + 10000 * 2^32 < 2^46 and upper <= 2^32: both fit the 46-bit comparator.
    component upperCmp = LessThan(46);
    upperCmp.in[0] <== vc + 10000 * ageShift;
    upperCmp.in[1] <== upper;

    // Lower test: lower < vc + 1.
    //   GT a: a+1 <= vc; GTE a, BETWEEN a b: a <= vc; other operators: 0 <= vc (always true).
    signal low <== (op[OP_GT()] + op[OP_GTE()] + op[OP_BETWEEN()]) * a;
    component lowerCmp = LessThan(CMP_BITS() + 1);
    lowerCmp.in[0] <== low + op[OP_GT()];
    lowerCmp.in[1] <== vc + 1;

    signal orderOk <== upperCmp.out * lowerCmp.out;

    // Equality with operand a.
    component eq = IsZero();
    eq.in <== v - a;

    // Set membership: prod (v - set[i]) is 0 exactly when v is in the set.
    signal prod[SET_SIZE];
    prod[0] <== v - set[0];
    for (var i = 1; i < SET_SIZE; i++) prod[i] <== prod[i - 1] * (v - set[i]);
    component inSet = IsZero();
    inSet.in <== prod[SET_SIZE - 1];

    signal eqTerm <== (op[OP_EQ()] - op[OP_NE()]) * eq.out;
    signal setTerm <== (op[OP_IN()] - op[OP_NIN()]) * inSet.out;
    signal orderTerm <== isOrder * orderOk;
    // NONE: 1; EQ: eq; NE: 1 - eq; IN: inSet; NIN: 1 - inSet; order operators: orderOk.
    ok <== op[OP_NONE()] + op[OP_NE()] + op[OP_NIN()] + eqTerm + setTerm + orderTerm;
}
