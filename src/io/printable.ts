/**
 * Text from outside (a queue job's fields, an error built from them) made safe to print on one
 * terminal line: control characters (newlines, ANSI escapes, C1 controls) are shown as \xNN
 * escapes, so they can neither start a fake log line nor move the cursor. Long text is cut.
 */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}
