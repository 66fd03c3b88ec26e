import { existsSync } from "node:fs";
import { NonceManager, Wallet } from "ethers";
import { ANVIL_CHAIN_ID } from "../../chain/localChain.js";
import { FORMATS, InputError } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { type Command, JSON_OPTION, UsageError } from "../framework.js";
import { CIRCUIT_SETS, gas, KEY_OPTION, onChain, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const deployCommand: Command = {
  path: ["deploy"],
  summary: "Protocol engineer: deploy a RiskSharingPool (and a test token and the verifiers unless given); write a deployment file.",
  details: ["The sender becomes the admin and, unless --oracle / --operator are given, the risk oracle and the operator."],
  options: {
    ...RPC_OPTION, ...KEY_OPTION,
    circuits: { type: "string", arg: "test|reference", description: "whose verifiers to deploy (default: reference)" },
    token: { type: "string", arg: "0x...", description: "collateral ERC-20 (default: deploy a TestToken)" },
    oracle: { type: "string", arg: "0x...", description: "risk oracle address (default: the sender)" },
    operator: { type: "string", arg: "0x...", description: "operator address (default: the sender)" },
    out: { type: "string", arg: "pool.json", description: "deployment file to write (zkrs/deployment@4), usable as --pool" },
    "max-epoch-delay": { type: "string", arg: "seconds", description: "escape hatch: seconds without an opening (or a path request unanswered) before anyone may freeze (default 604800, a week)" },
    "path-fee": { type: "string", arg: "wei", description: "what a path request pays the operator (default 20000000000000000, 0.02 ether: an answer on a depth-20 tree costs about 666,000 gas)" },
    "allow-insecure-keys": { type: "boolean", description: "deploy verifiers of an insecure development setup on a chain other than anvil's local one (anyone can forge their proofs)" },
    ...JSON_OPTION,
  },
  async run(ctx, args) {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const set = args.optionalString("circuits") ?? "reference";
    const circuits = CIRCUIT_SETS[set];
    if (!circuits) throw new UsageError(`--circuits must be "test" or "reference", got "${set}"`, args.command);
    const opt = (name: string): string | undefined => (args.has(name) ? args.address(name) : undefined);
    const token = opt("token");
    const oracle = opt("oracle");
    const operator = opt("operator");
    const out = args.optionalOutFile("out");
    if (out && existsSync(out)) throw new InputError(`${out} exists already (a deployment file is not overwritten; pick another --out)`);
    const { deployPool, verifierArtifact } = await import("../../chain/riskSharingPool.js");
    const { loadContractArtifact, readManifest } = await import("../../artifacts/manifest.js");
    const manifest = readManifest();
    const pooled = [circuits.margin, circuits.solvency, circuits.liquidation, circuits.riskTable, circuits.exit];
    const insecure = pooled.filter((c) => manifest.circuits[c]?.insecure);
    const maxEpochDelay = args.has("max-epoch-delay") ? args.int("max-epoch-delay", 1, 2 ** 39) : undefined;
    const pathFee = args.has("path-fee") ? args.bigint("path-fee", { min: 0n }) : undefined;
    for (const name of ["RiskSharingPool", ...(token ? [] : ["TestToken"]), ...pooled.map(verifierArtifact)]) {
      try {
        loadContractArtifact(name);
      } catch (err) {
        throw new InputError(`${(err as Error).message} (run \`zkrs setup${set === "test" ? " --set test" : ""}\`)`);
      }
    }
    return onChain(ctx, url, async (chain) => {
      const { chainId } = await chain.provider.getNetwork();
      if (insecure.length > 0 && chainId !== ANVIL_CHAIN_ID && !args.flag("allow-insecure-keys")) {
        throw new InputError(
          `refusing to deploy on chain ${chainId}: the keys of ${insecure.join(", ")} come from the insecure development setup, whose toxic waste is public, ` +
          `so anyone can forge proofs and drain the pool; only anvil's local chain ${ANVIL_CHAIN_ID} takes them without --allow-insecure-keys ` +
          "(for money, build keys from a ceremony with secret entropy: README, Production keys)",
        );
      }
      if (insecure.length > 0) ctx.log(`warning: deploying verifiers of an insecure development setup (${insecure.join(", ")}): anyone can forge their proofs`);
      const wallet = new Wallet(key, chain.provider);
      const d = await ctx.step(`deploying RiskSharingPool (${set} circuits) on chain ${chainId}`, () =>
        deployPool({ signer: new NonceManager(wallet), token, oracle, operator, circuits, maxEpochDelay, pathFee }));
      const block = await chain.provider.getBlockNumber();
      const deployment = {
        format: FORMATS.deployment, chainId: chainId.toString(), pool: d.pool.address, token: d.token,
        marginVerifier: d.marginVerifier, solvencyVerifier: d.solvencyVerifier, liquidationVerifier: d.liquidationVerifier, riskTableVerifier: d.riskTableVerifier,
        exitVerifier: d.exitVerifier, poseidon2: d.poseidon2, pathRequests: await d.pool.pathRequestsAddress(), circuits, deployer: wallet.address, block,
        contracts: d.deployed.map((c) => ({ name: c.name, address: c.address, gasUsed: c.gasUsed.toString() })),
      };
      if (out) writeOutputs([jsonOutput(out, deployment)]);
      return {
        json: { ...deployment, format: undefined, out },
        human: [
          ...d.deployed.map((c) => `  ${c.name.padEnd(22)} ${c.address}  (${c.gasUsed} gas)`),
          `pool ${d.pool.address} on chain ${chainId}${out ? `; wrote ${out}` : ""}`,
        ],
      };
    });
  },
};
