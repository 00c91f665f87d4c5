/**
 * The header of a Zeek ASCII log: what its `#` lines say about the data lines after them.
 */

/** The header state of a Zeek ASCII log as plain data (for a checkpoint): see {@link ZeekHeader}. */
export interface ZeekHeaderState {
  readonly separator: string;
  readonly setSeparator: string;
  readonly emptyField: string;
  readonly unsetField: string;
  /** The `#path` (the log's name, e.g. `conn`); absent before one was read. */
  readonly path?: string;
  /** The `#fields` column names; absent before a `#fields` line. */
  readonly fields?: readonly string[];
  /** The `#types` of the columns (e.g. `time`, `count`, `set[string]`); absent before a `#types` line after the latest `#fields`. */
  readonly types?: readonly string[];
}

/**
 * Reads the header lines of a Zeek ASCII log (`#separator`, `#set_separator`, `#empty_field`,
 * `#unset_field`, `#path`, `#open`, `#fields`, `#types`, `#close`) and keeps what they set, for the
 * data lines after them. Stateful, like the format: the latest line of each kind wins, so a file of
 * several header blocks (rotated logs concatenated) is read block by block. A `#fields` line forgets
 * the `#types` of the previous block (they follow it). Defaults before any header: tab, `,`,
 * `(empty)`, `-` (Zeek's own).
 *
 * @example
 * const h = new ZeekHeader();
 * h.read('#separator \\x09'); h.read('#fields\tts\tuid');
 * h.fields // ['ts', 'uid']
 */
export class ZeekHeader {
  separator = '\t';
  setSeparator = ',';
  emptyField = '(empty)';
  unsetField = '-';
  path: string | undefined;
  fields: readonly string[] | undefined;
  types: readonly string[] | undefined;
  /** The `fields` that {@link duplicateField} last checked, and what it found. */
  private checkedFields: readonly string[] | undefined;
  private duplicate: string | undefined;

  /**
   * A column name `fields` holds twice (the first such), or undefined: the data lines under such a
   * header cannot be records without losing one of the two values.
   * @example h.read('#fields\tts\tuid\tuid'); h.duplicateField() // 'uid'
   */
  duplicateField(): string | undefined {
    if (this.fields !== this.checkedFields) {
      this.checkedFields = this.fields;
      const seen = new Set<string>();
      this.duplicate = this.fields?.find((f) => seen.size === seen.add(f).size);
    }
    return this.duplicate;
  }

  /**
   * Reads one header line (it starts with `#`; without its line end) and returns its directive
   * (`'#fields'`, `'#close'`, ... or an unknown one, which changes nothing). Never throws.
   */
  read(line: string): string {
    if (line.startsWith('#separator')) {
      // `#separator \x09`: the one directive written with a space, its value escaped
      this.separator = unescapeZeek(line.slice('#separator'.length).trim());
      return '#separator';
    }
    const [directive = '', ...values] = line.split(this.separator);
    const value = values.join(this.separator);
    switch (directive) {
      case '#set_separator':
        this.setSeparator = unescapeZeek(value);
        break;
      case '#empty_field':
        this.emptyField = value;
        break;
      case '#unset_field':
        this.unsetField = value;
        break;
      case '#path':
        this.path = value;
        break;
      case '#fields':
        this.fields = values;
        this.types = undefined;
        break;
      case '#types':
        this.types = values;
        break;
    }
    return directive;
  }

  /** The state read so far, as plain data (fresh arrays): a header given it by {@link restore} reads on as this one would. */
  snapshot(): ZeekHeaderState {
    const s: { -readonly [K in keyof ZeekHeaderState]: ZeekHeaderState[K] } = {
      separator: this.separator,
      setSeparator: this.setSeparator,
      emptyField: this.emptyField,
      unsetField: this.unsetField,
    };
    if (this.path !== undefined) s.path = this.path;
    if (this.fields !== undefined) s.fields = [...this.fields];
    if (this.types !== undefined) s.types = [...this.types];
    return s;
  }

  /**
   * Takes over the state of {@link snapshot} (of a header in an earlier run).
   * @throws RangeError when `state` is not such a state (nothing is changed then).
   */
  restore(state: unknown): void {
    const s = state as Partial<ZeekHeaderState> | null;
    const strings = (a: unknown): boolean => a === undefined || (Array.isArray(a) && a.every((c) => typeof c === 'string'));
    const ok =
      typeof s === 'object' &&
      s !== null &&
      typeof s.separator === 'string' &&
      typeof s.setSeparator === 'string' &&
      typeof s.emptyField === 'string' &&
      typeof s.unsetField === 'string' &&
      (s.path === undefined || typeof s.path === 'string') &&
      strings(s.fields) &&
      strings(s.types);
    if (!ok) throw new RangeError(`not a Zeek log header state: ${(JSON.stringify(state) ?? String(state)).slice(0, 200)}`);
    this.separator = s.separator!;
    this.setSeparator = s.setSeparator!;
    this.emptyField = s.emptyField!;
    this.unsetField = s.unsetField!;
    this.path = s.path;
    this.fields = s.fields === undefined ? undefined : [...s.fields];
    this.types = s.types === undefined ? undefined : [...s.types];
  }
}

/**
 * Decodes Zeek's `\xHH` escapes (how it writes separators and non-printable bytes inside values).
 * @example unescapeZeek('\\x09') // '\t'
 */
export function unescapeZeek(text: string): string {
  return text.includes('\\x') ? text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}
