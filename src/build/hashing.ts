import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** sha256 of a file, streamed (ptau and zkey files are hundreds of MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function sha256FileSync(path: string): string {
  return sha256Hex(readFileSync(path));
}
