// Minimal types for the untyped snark packages zkid uses.
declare module 'circom_runtime' {
  export interface WitnessCalculator {
    calculateWitness(input: Record<string, unknown>, sanityCheck?: boolean): Promise<bigint[]>;
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(code: Uint8Array, options?: { sanityCheck?: boolean }): Promise<WitnessCalculator>;
}

declare module 'snarkjs' {
  type FileLike = string | Uint8Array | { type: 'mem'; data?: Uint8Array };
  interface Logger {
    info(s: unknown): void;
    warn(s: unknown): void;
    error(s: unknown): void;
    debug(s: unknown): void;
  }
  export const groth16: {
    prove(zkey: FileLike, witness: FileLike, logger?: Logger, options?: unknown): Promise<{ proof: any; publicSignals: string[] }>;
    fullProve(
      input: Record<string, unknown>,
      wasm: FileLike,
      zkey: FileLike,
      logger?: Logger,
    ): Promise<{ proof: any; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: unknown, proof: unknown, logger?: Logger): Promise<boolean>;
  };
  export const plonk: any;
  export const fflonk: any;
  export const powersOfTau: any;
  export const zKey: any;
  export const r1cs: any;
  export const wtns: any;
  export const curves: { getCurveFromName(name: string, options?: unknown): Promise<any> };
}
