import { parseAllDocuments } from 'yaml';

/**
 * Every document of a multi-document YAML text (Beam's trigger transcripts), read with the `yaml`
 * package (YAML 1.2, core schema) into plain data. Empty documents (a comment-only header, say) are
 * left out. Pure: it never touches the file system.
 *
 * @throws YamlDocumentsError for the first syntax error (a duplicate key included), with its line and column
 * @example readYamlDocuments('name: a\nlist: [1, 2]\n---\nname: b') // [{ name: 'a', list: [1, 2] }, { name: 'b' }]
 */

export type YamlValue = number | string | boolean | null | YamlValue[] | { [key: string]: YamlValue };

export class YamlDocumentsError extends Error {
  constructor(
    /** 1-based line of the error in the whole text, when the parser gives one. */
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'YamlDocumentsError';
  }
}

export function readYamlDocuments(text: string): YamlValue[] {
  const parsed = parseAllDocuments(text);
  const docs = Array.isArray(parsed) ? parsed : [];
  const out: YamlValue[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new YamlDocumentsError(error.linePos?.[0].line, error.message);
    const value = doc.toJS() as YamlValue | undefined;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
