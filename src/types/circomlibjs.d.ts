// circomlibjs ships no type declarations: the part of its API this project uses.
declare module "circomlibjs" {
  /** Generated Poseidon contracts (bytecode and ABI) for `nInputs` inputs. */
  export const poseidonContract: {
    createCode(nInputs: number): string;
    generateABI(nInputs: number): unknown[];
  };
}
