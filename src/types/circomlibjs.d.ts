/**
 * Minimal types for the parts of circomlibjs 0.1.7 that zkid uses (the package ships none).
 * Field elements are ffjavascript's internal representation (Montgomery form in a Uint8Array):
 * convert with `F.e(bigint)` and `F.toObject(element)`, never by reading the bytes.
 */
declare module 'circomlibjs' {
  export type FieldElement = Uint8Array;
  export type Point = [FieldElement, FieldElement];

  export interface Field {
    e(value: bigint | number | string): FieldElement;
    toObject(a: FieldElement): bigint;
    eq(a: FieldElement, b: FieldElement): boolean;
    isZero(a: FieldElement): boolean;
  }

  export interface BabyJub {
    F: Field;
    subOrder: bigint;
    Base8: Point;
    addPoint(a: Point, b: Point): Point;
    mulPointEscalar(p: Point, e: bigint): Point;
    inCurve(p: Point): boolean;
    inSubgroup(p: Point): boolean;
  }

  export interface EddsaSignature {
    R8: Point;
    S: bigint;
  }

  export interface Eddsa {
    F: Field;
    babyJub: BabyJub;
    prv2pub(privateKey: Uint8Array): Point;
    signPoseidon(privateKey: Uint8Array, msg: FieldElement): EddsaSignature;
    verifyPoseidon(msg: FieldElement, sig: EddsaSignature, publicKey: Point): boolean;
  }

  export function buildEddsa(): Promise<Eddsa>;

  export interface PoseidonWasm {
    (inputs: (bigint | FieldElement)[]): FieldElement;
    F: Field;
  }
  export function buildPoseidon(): Promise<PoseidonWasm>;
}
