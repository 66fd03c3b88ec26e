// Minimal typings for the untyped libraries this project uses.

declare module "snarkjs" {
  export type NumericString = string;
  export interface Groth16Proof {
    pi_a: NumericString[];
    pi_b: NumericString[][];
    pi_c: NumericString[];
    protocol: string;
    curve: string;
  }
  export interface VerificationKey {
    protocol: string;
    curve: string;
    nPublic: number;
    [key: string]: unknown;
  }
  export type Logger = {
    debug: (...a: unknown[]) => void;
    info: (...a: unknown[]) => void;
    warn: (...a: unknown[]) => void;
    error: (...a: unknown[]) => void;
  };
  export type SignalInputs = Record<string, unknown>;
  export const groth16: {
    fullProve(input: SignalInputs, wasm: string | Uint8Array, zkey: string | Uint8Array, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: NumericString[] }>;
    prove(zkey: string | Uint8Array, wtns: string | Uint8Array | { type: string; data?: Uint8Array }, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: NumericString[] }>;
    verify(vk: VerificationKey, publicSignals: NumericString[], proof: Groth16Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: NumericString[]): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, fileName: string, logger?: Logger): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: Logger): Promise<unknown>;
    verify(ptau: string, logger?: Logger): Promise<boolean>;
    beacon(oldPtau: string, newPtau: string, name: string, beaconHash: string, numIterationsExp: number, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string | { type: string; data?: Uint8Array }, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<string>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHash: string, numIterationsExp: number, logger?: Logger): Promise<unknown>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
    verifyFromInit(initZkey: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkey: string | Uint8Array, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkey: string | Uint8Array, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };
  export const wtns: {
    calculate(input: SignalInputs, wasm: string | Uint8Array, wtns: string | { type: string; data?: Uint8Array }, options?: unknown): Promise<void>;
    check(r1cs: string, wtns: string, logger?: Logger): Promise<boolean>;
    exportJson(wtns: string | { type: string; data?: Uint8Array }): Promise<bigint[]>;
  };
  export const r1cs: {
    info(r1cs: string, logger?: Logger): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number; nLabels: number; [k: string]: unknown }>;
  };
  export const curves: {
    getCurveFromName(name: string, singleThread?: boolean): Promise<{ terminate(): Promise<void>; [k: string]: unknown }>;
  };
}

declare module "ffjavascript" {
  // ffjavascript is used through snarkjs-compatible curve objects; the API is wide and untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const buildBn128: (singleThread?: boolean, plugins?: unknown) => Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const Scalar: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const utils: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const BigBuffer: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const ChaCha: any;
}

declare module "circom_runtime" {
  /** circom's wasm witness calculator: one WebAssembly instance, reusable (each call re-initialises it). */
  export interface WitnessCalculator {
    calculateWitness(input: Record<string, unknown>, sanityCheck: boolean): Promise<bigint[]>;
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean | number): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(code: Uint8Array, options?: { memorySize?: number }): Promise<WitnessCalculator>;
}

declare module "circomlibjs" {
  /** A field element of circomlibjs' own field objects (its internal representation). */
  export type FieldElement = Uint8Array;
  export interface BabyJubField {
    e(x: bigint | number | string): FieldElement;
    toObject(x: FieldElement): bigint;
  }
  export interface BabyJub {
    F: BabyJubField;
    subOrder: bigint;
    inCurve(p: [FieldElement, FieldElement]): boolean;
  }
  /** EdDSA on Baby Jubjub (circomlib's EdDSAPoseidonVerifier checks signPoseidon's signatures). */
  export interface Eddsa {
    babyJub: BabyJub;
    F: BabyJubField;
    prv2pub(privateKey: Uint8Array): [FieldElement, FieldElement];
    signPoseidon(privateKey: Uint8Array, message: FieldElement): { R8: [FieldElement, FieldElement]; S: bigint };
    verifyPoseidon(message: FieldElement, signature: { R8: [FieldElement, FieldElement]; S: bigint }, publicKey: [FieldElement, FieldElement]): boolean;
  }
  export function buildEddsa(): Promise<Eddsa>;
}
