/**
 * Why an audit could not start, in words an auditor can act on. `kind` lets the page pick its
 * message box; `message` is the one line the CLI prints.
 */
export type AuditErrorKind = "rpc-unreachable" | "bad-rpc-url" | "bad-address" | "no-contract" | "not-a-pool" | "bad-input";

export class AuditError extends Error {
  constructor(readonly kind: AuditErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AuditError";
  }
}
