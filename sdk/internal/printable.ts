/**
 * Characters that make a terminal do something instead of showing them: C0 controls (ESC, CR, BEL,
 * backspace, ...) including newline, DEL, the C1 controls (U+0080 to U+009F: `\x9b` is an 8-bit CSI
 * on some terminals), the line and paragraph separators, and the bidirectional overrides and isolates
 * (which reorder what follows them on the line).
 */
const TERMINAL_CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` safe to print on a terminal: each control character (see above) is written as an escape,
 * `\n`, `\r`, `\t`, `\xNN` below U+0100, `\u{NNNN}` above; everything else is as it was. For strings
 * that come from a run's input (ids, rejected lines, paths, reasons) shown in a summary, so that
 * input cannot move the cursor, clear the screen, set the window title or reorder a line.
 * @example printable('id\x1b[2J\r') // 'id\\x1b[2J\\r'
 */
export function printable(text: string): string {
  return text.replace(TERMINAL_CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * `text` of several lines safe to print on a terminal: each line as {@link printable} makes it, the
 * newlines between them kept. For text meant to span lines (a stack trace, a script's output quoted
 * in an error); text meant as one line (an error message) goes through `printable`, newlines too.
 * @example printableLines('a\x1b[2J\nb') // 'a\\x1b[2J\nb'
 */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
