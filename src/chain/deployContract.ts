import { type BaseContract, ContractFactory, type InterfaceAbi, type Signer } from "ethers";
import { loadContractArtifact } from "../artifacts/manifest.js";

/** Deploys a contract from the build (by artifact name) and waits until it is mined. */
export async function deployContract(name: string, signer: Signer, ...args: unknown[]): Promise<BaseContract> {
  const artifact = loadContractArtifact(name);
  const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract;
}
