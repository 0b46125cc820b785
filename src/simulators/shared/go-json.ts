/**
 * Go `encoding/json` and `fmt` behaviour both panel simulators mimic (both panels are Go
 * programs that put these texts verbatim into their `msg`): the error type, `fmt.Sprintln`
 * and the parse error texts of `json.Unmarshal`.
 */

/** An error whose message is exactly what the Go panel would print. */
export class GoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoError';
  }
}

/** Go's `fmt.Sprintln(a...)`: operands joined by one space, plus a trailing newline. */
export function sprintln(...parts: Array<string | number>): string {
  return parts.map(String).join(' ') + '\n';
}

/** Parses JSON text like Go's `json.Unmarshal` would accept it, throwing Go's error texts. */
export function goParse(text: string): unknown {
  if (text.trim() === '') throw new GoError('unexpected end of JSON input');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (/end of JSON input|Unterminated/i.test(message)) throw new GoError('unexpected end of JSON input');
    const pos = /position (\d+)/.exec(message);
    const index = pos ? Number(pos[1]) : text.search(/\S/);
    const ch = text.charAt(index) || text.trim().charAt(0);
    throw new GoError(`invalid character '${ch}' looking for beginning of value`);
  }
}
