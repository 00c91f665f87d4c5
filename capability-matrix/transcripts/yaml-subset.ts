/**
 * Reads the small part of YAML that Beam's trigger transcripts use, and refuses the rest loudly:
 * documents separated by `---`, `#` comments, block mappings and block sequences by indentation,
 * flow sequences and flow mappings (`[1, 2]`, `{window: [0, 9], values: [1]}`, also spread over
 * several lines) and plain scalars (integers, `true`/`false`/`null`, everything else a string, e.g.
 * `AfterWatermark(early=AfterCount(2))`). No quotes, anchors, tags, multi-line strings or block
 * scalars: the transcripts have none.
 *
 * Hand-written because the repository has no YAML library; replace it with one (the `yaml` package)
 * when the project takes the dependency. The reader is pure: it never touches the file system.
 *
 * @throws YamlSubsetError naming the line for anything outside the subset.
 * @example readYamlDocuments('name: a\nlist: [1, 2]\n---\nname: b') // [{ name: 'a', list: [1, 2] }, { name: 'b' }]
 */

export type YamlValue = number | string | boolean | null | YamlValue[] | { [key: string]: YamlValue };

export class YamlSubsetError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'YamlSubsetError';
  }
}

interface Line {
  /** 1-based line number in the whole text. */
  readonly no: number;
  readonly indent: number;
  readonly text: string;
}

const MAP_ENTRY = /^([A-Za-z_][\w-]*):(?:\s+|$)(.*)$/;

/** Every document of the text, in order; empty documents are left out. */
export function readYamlDocuments(text: string): YamlValue[] {
  const docs: Line[][] = [[]];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^---\s*$/.test(raw)) {
      docs.push([]);
      return;
    }
    const content = stripComment(raw);
    if (content.trim() === '') return;
    if (/\t/.test(content.slice(0, content.length - content.trimStart().length))) throw new YamlSubsetError(i + 1, 'tabs in indentation');
    docs[docs.length - 1]!.push({ no: i + 1, indent: content.length - content.trimStart().length, text: content.trim() });
  });
  return docs.filter((d) => d.length > 0).map((lines) => new Reader(lines).document());
}

/** The line without its comment: a `#` at the start or after a space (the subset has no quoted strings). */
function stripComment(raw: string): string {
  const m = /(^|\s)#/.exec(raw);
  return m ? raw.slice(0, m.index) : raw;
}

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  document(): YamlValue {
    const first = this.lines[0]!;
    const v = this.block(first.indent);
    const left = this.lines[this.i];
    if (left) throw new YamlSubsetError(left.no, `unexpected '${left.text}' (indentation ${left.indent})`);
    return v;
  }

  private block(indent: number): YamlValue {
    const l = this.lines[this.i]!;
    if (isSequenceItem(l.text)) return this.sequence(indent);
    if (MAP_ENTRY.test(l.text)) return this.mapping(indent);
    this.i++;
    return this.scalarOrFlow(l.text, l);
  }

  private sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (let l = this.lines[this.i]; l && l.indent === indent && isSequenceItem(l.text); l = this.lines[this.i]) {
      const rest = l.text.slice(1).trimStart();
      if (rest === '') {
        this.i++;
        const next = this.lines[this.i];
        out.push(next && next.indent > indent ? this.block(next.indent) : null);
      } else {
        // The item's content starts a block at its own column: `- input: [1]` is a mapping there.
        const column = indent + (l.text.length - rest.length);
        this.lines[this.i] = { no: l.no, indent: column, text: rest };
        out.push(this.block(column));
      }
    }
    this.expectDedent(indent);
    return out;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    for (let l = this.lines[this.i]; l && l.indent === indent; l = this.lines[this.i]) {
      const m = MAP_ENTRY.exec(l.text);
      if (!m) throw new YamlSubsetError(l.no, `expected 'key: value', got '${l.text}'`);
      const key = m[1]!;
      if (Object.hasOwn(out, key)) throw new YamlSubsetError(l.no, `duplicate key '${key}'`);
      this.i++;
      const rest = m[2]!.trim();
      if (rest !== '') out[key] = this.scalarOrFlow(rest, l);
      else {
        const next = this.lines[this.i];
        if (next && next.indent > indent) out[key] = this.block(next.indent);
        else if (next && next.indent === indent && isSequenceItem(next.text)) out[key] = this.sequence(indent);
        else out[key] = null;
      }
    }
    this.expectDedent(indent);
    return out;
  }

  /** After a block: the next line, if any, must be less indented. */
  private expectDedent(indent: number): void {
    const l = this.lines[this.i];
    if (l && l.indent > indent) throw new YamlSubsetError(l.no, `unexpected indentation before '${l.text}'`);
  }

  /** A plain scalar, or a flow collection (continued on the following lines until its brackets close). */
  private scalarOrFlow(text: string, at: Line): YamlValue {
    if (text[0] !== '[' && text[0] !== '{') return plainScalar(text, at);
    let all = text;
    while (depth(all, at) > 0) {
      const next = this.lines[this.i];
      if (!next || next.indent <= at.indent) throw new YamlSubsetError(at.no, `unclosed '${text[0]}'`);
      all += ` ${next.text}`;
      this.i++;
    }
    return new FlowParser(all, at).parse();
  }
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function depth(text: string, at: Line): number {
  let d = 0;
  for (const c of text) {
    if (c === '[' || c === '{') d++;
    else if (c === ']' || c === '}') d--;
    if (d < 0) throw new YamlSubsetError(at.no, `unbalanced '${c}'`);
  }
  return d;
}

function plainScalar(text: string, at: Line): YamlValue {
  if (/^["'|>&*!%@`]/.test(text)) throw new YamlSubsetError(at.no, `'${text}' is outside the YAML subset the transcript reader supports`);
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^-?\d+\.\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  return text;
}

/** `[a, b]` and `{k: v}` with nested flow collections and plain scalars. */
class FlowParser {
  private p = 0;
  constructor(
    private readonly s: string,
    private readonly at: Line,
  ) {}

  parse(): YamlValue {
    const v = this.value();
    this.space();
    if (this.p < this.s.length) this.fail(`unexpected '${this.s.slice(this.p)}'`);
    return v;
  }

  private value(): YamlValue {
    this.space();
    const c = this.s[this.p];
    if (c === '[') return this.list();
    if (c === '{') return this.map();
    return this.scalar();
  }

  private list(): YamlValue[] {
    this.p++;
    const out: YamlValue[] = [];
    this.space();
    if (this.s[this.p] === ']') {
      this.p++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.s[this.p++];
      if (c === ']') return out;
      if (c !== ',') this.fail(`expected ',' or ']' in a flow sequence`);
    }
  }

  private map(): { [key: string]: YamlValue } {
    this.p++;
    const out: { [key: string]: YamlValue } = {};
    this.space();
    if (this.s[this.p] === '}') {
      this.p++;
      return out;
    }
    for (;;) {
      this.space();
      const m = /^([A-Za-z_][\w-]*)\s*:/.exec(this.s.slice(this.p));
      if (!m) this.fail(`expected 'key:' in a flow mapping`);
      const key = m![1]!;
      if (Object.hasOwn(out, key)) this.fail(`duplicate key '${key}'`);
      this.p += m![0].length;
      out[key] = this.value();
      this.space();
      const c = this.s[this.p++];
      if (c === '}') return out;
      if (c !== ',') this.fail(`expected ',' or '}' in a flow mapping`);
    }
  }

  private scalar(): YamlValue {
    const m = /^[^,\[\]{}]*/.exec(this.s.slice(this.p))!;
    const text = m[0].trim();
    if (text === '') this.fail('empty value');
    this.p += m[0].length;
    return plainScalar(text, this.at);
  }

  private space(): void {
    while (this.s[this.p] === ' ') this.p++;
  }

  private fail(why: string): never {
    throw new YamlSubsetError(this.at.no, `${why}: '${this.s}'`);
  }
}
