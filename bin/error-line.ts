import { inspect } from 'node:util';
import { WatershedError } from '../sdk/errors.js';
import { printable, printableLines } from '../sdk/internal/printable.js';

/**
 * What the CLI prints on stderr for an error that ended a command: `<name>: <message>` for a typed
 * error (a WatershedError, or one named NotAvailableError), else Node's inspection of it (with its
 * stack). Control characters are escaped as in the run summary (see `printable`), message newlines
 * too, so an error naming an element, a path or a flag value from the input cannot drive the terminal.
 * @example errorLine(new PipelineOptionsError("--scenario=\x1b[2J: ...")) // 'PipelineOptionsError: --scenario=\\x1b[2J: ...'
 */
export function errorLine(e: unknown): string {
  if (e instanceof WatershedError || (e instanceof Error && e.name === 'NotAvailableError')) return `${printable(e.name)}: ${printable(e.message)}`;
  return printableLines(inspect(e));
}
