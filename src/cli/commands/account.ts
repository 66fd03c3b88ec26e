import { existsSync } from "node:fs";
import { newTraderAccount, type Position, randomFieldElement, type TraderAccount } from "../../accounts/account.js";
import { encodeAccount, encodeOpening } from "../../io/formats.js";
import { InputError, showBound } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { MAX_COLLATERAL, MAX_QUANTITY, MIN_QUANTITY } from "../../risk/bounds.js";
import { type Args, type Command, JSON_OPTION, UsageError } from "../framework.js";
import { loadAccount } from "../inputs.js";

const SECRET_MODE = 0o600;

/** `--position 1:-3` = instrument 1, quantity -3 (repeatable). */
function parsePositions(args: Args): Position[] {
  const raw = args.list("position");
  return raw.map((text) => {
    const m = /^(\d+):(-?\d+)$/.exec(text.replace(/_/g, ""));
    if (!m) throw new UsageError(`--position "${text}" must be instrument:quantity, e.g. 0:5 or 1:-2`, args.command);
    const instrument = BigInt(m[1]);
    const quantity = BigInt(m[2]);
    if (instrument >= 2n ** 32n) throw new InputError(`--position ${text}: instrument ${instrument} is out of range [0, 2^32 - 1]`);
    if (quantity < MIN_QUANTITY || quantity > MAX_QUANTITY) {
      throw new InputError(`--position ${text}: quantity ${quantity} is out of range [${showBound(MIN_QUANTITY)}, ${showBound(MAX_QUANTITY)}]`);
    }
    return { instrument: Number(instrument), quantity };
  });
}

function describe(a: TraderAccount): string[] {
  return [
    `accountKey ${a.accountKey}`,
    `collateral ${a.collateral}`,
    `positions  ${a.positions.length === 0 ? "(none)" : a.positions.map((p) => `${p.instrument}:${p.quantity}`).join(" ")}`,
  ];
}

function summary(a: TraderAccount): Record<string, unknown> {
  return { accountKey: a.accountKey.toString(), collateral: a.collateral.toString(), positions: a.positions.map((p) => ({ instrument: p.instrument, quantity: p.quantity.toString() })) };
}

const POSITION_OPTION = { type: "string", multiple: true, arg: "i:q", description: "a position: instrument index i (row of the risk table), signed quantity q" } as const;

export const accountCommands: Command[] = [
  {
    path: ["account", "new"],
    summary: "Trader: create an account with a fresh secret (the file is written with mode 0600).",
    details: ["Keep the account file private; give the operator only its opening (`zkrs account opening`)."],
    options: {
      collateral: { type: "string", arg: "amount", description: "collateral in token base units", required: true },
      position: POSITION_OPTION,
      out: { type: "string", arg: "acct.json", description: "account file to write (zkrs/account@1)", required: true },
      force: { type: "boolean", description: "overwrite an existing account file (its secret is lost)" },
      ...JSON_OPTION,
    },
    async run(_ctx, args) {
      const collateral = args.bigint("collateral", { min: 0n, max: MAX_COLLATERAL });
      const positions = parsePositions(args);
      const out = args.outFile("out");
      if (existsSync(out) && !args.flag("force")) throw new InputError(`${out} exists already: refusing to overwrite an account (its secret would be lost; use --force)`);
      const account = newTraderAccount(collateral, positions);
      writeOutputs([jsonOutput(out, encodeAccount(account), SECRET_MODE)]);
      return { json: { out, ...summary(account) }, human: [`wrote new account ${out} (secret: keep it private)`, ...describe(account)] };
    },
  },
  {
    path: ["account", "set"],
    summary: "Trader: update an account's collateral and/or positions; the salt is re-randomised (new, unlinkable leaf).",
    details: [
      "--position replaces the whole position list; --clear-positions empties it. Without --out the account",
      "file is replaced in place (atomically, still mode 0600). Run it each epoch even with no change, so",
      "the account's leaf cannot be linked across epochs.",
    ],
    options: {
      account: { type: "string", arg: "acct.json", description: "account file (zkrs/account@1)", required: true },
      collateral: { type: "string", arg: "amount", description: "new collateral in token base units" },
      position: POSITION_OPTION,
      "clear-positions": { type: "boolean", description: "remove every position" },
      out: { type: "string", arg: "file.json", description: "write the updated account here instead of in place" },
      ...JSON_OPTION,
    },
    async run(_ctx, args) {
      const file = args.string("account");
      const account = loadAccount(file);
      const collateral = args.has("collateral") ? args.bigint("collateral", { min: 0n, max: MAX_COLLATERAL }) : account.collateral;
      if (args.has("position") && args.flag("clear-positions")) throw new UsageError("--position and --clear-positions cannot be used together", args.command);
      const positions = args.flag("clear-positions") ? [] : args.has("position") ? parsePositions(args) : account.positions;
      const updated: TraderAccount = { ...account, collateral, positions, salt: randomFieldElement() };
      const out = args.optionalOutFile("out") ?? file;
      writeOutputs([jsonOutput(out, encodeAccount(updated), SECRET_MODE)]);
      return { json: { out, ...summary(updated) }, human: [`updated ${out} (new salt)`, ...describe(updated)] };
    },
  },
  {
    path: ["account", "opening"],
    summary: "Trader: write the account's opening (everything but the secret) for the operator.",
    options: {
      account: { type: "string", arg: "acct.json", description: "account file (zkrs/account@1)", required: true },
      out: { type: "string", arg: "opening.json", description: "opening file to write (zkrs/opening@1)", required: true },
      ...JSON_OPTION,
    },
    async run(_ctx, args) {
      const account = loadAccount(args.string("account"));
      const out = args.outFile("out");
      writeOutputs([jsonOutput(out, encodeOpening(account))]);
      return { json: { out, ...summary(account) }, human: [`wrote opening ${out} (no secret in it: give it to the operator)`] };
    },
  },
];
