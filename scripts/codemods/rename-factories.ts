/**
 * The codemod of the factory renames (issue #17, docs/design/public-api.md "Plan for the renames"):
 * rewrites the deprecated spellings to the one factory style, in every TypeScript file of the
 * repository (tracked or new, not ignored):
 *
 *   GroupByKey.create → GroupByKey   Distinct.create → Distinct      Create.of → Create
 *   ParDo.of → ParDo                 Read.from → Read                WithTimestamps.of → WithTimestamps
 *   Flatten.of → Flatten             Partition.of → Partition        CoGroupByKey.of → CoGroupByKey
 *   AfterAll.of → AfterAll           AfterFirst.of → AfterFirst      AfterEach.inOrder → AfterEach
 *   Repeatedly.forever → Repeatedly  AfterWatermark.pastEndOfWindow → AfterWatermark
 *   orFinally(main, until) → main.orFinally(until)   (and `orFinally` leaves the import)
 *   Map (imported from the package) → MapElements
 *   a source's event-time option: KafkaIO.read / kafkaRead / new KafkaSource `{ eventTime }` → `{ timestamp }`,
 *   RxIO.read / new ObservableSource `{ timestampFn }` → `{ timestamp }` (in an options object written in
 *   the call; options built elsewhere are not followed, and TypeScript marks the deprecated name there)
 *
 * Only names imported from the package are touched: from `watershed/sdk`, `watershed/transforms`, or a
 * relative path into `sdk/` or `transforms/` (an alias `import { Map as MapT }` is followed). It parses
 * each file with the TypeScript compiler (syntax only) and edits the source text in place, so formatting
 * and comments stay. Idempotent: a second run changes nothing. A file whose text contains
 * `codemod: keep-deprecated` is left alone (the test of the deprecated aliases).
 *
 *   npx tsx scripts/codemods/rename-factories.ts            # rewrite, listing the files changed
 *   npx tsx scripts/codemods/rename-factories.ts --check    # change nothing; exit 1 listing each old use
 *   npx tsx scripts/codemods/rename-factories.ts some/file.ts other/dir   # only these
 *
 * Run `npx tsc --noEmit -p .` afterwards: the codemod makes no type-level guarantee of its own.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KEEP = 'codemod: keep-deprecated';

/** Factory → its deprecated member, which the call of the factory replaces. */
export const RENAMED_MEMBERS: Readonly<Record<string, string>> = {
  GroupByKey: 'create',
  Distinct: 'create',
  Create: 'of',
  ParDo: 'of',
  Read: 'from',
  WithTimestamps: 'of',
  Flatten: 'of',
  Partition: 'of',
  CoGroupByKey: 'of',
  AfterAll: 'of',
  AfterFirst: 'of',
  AfterEach: 'inOrder',
  Repeatedly: 'forever',
  AfterWatermark: 'pastEndOfWindow',
};

/**
 * Source factories whose options object has a deprecated option name, renamed to `timestamp`:
 * `<imported name>` (a call) or `new <imported name>`, the options' argument index and the old name.
 */
export const RENAMED_OPTIONS: readonly { readonly callee: string; readonly arg: number; readonly alias: string; readonly from: 'kafka' | 'rx' }[] = [
  { callee: 'KafkaIO.read', arg: 0, alias: 'eventTime', from: 'kafka' },
  { callee: 'kafkaRead', arg: 0, alias: 'eventTime', from: 'kafka' },
  { callee: 'new KafkaSource', arg: 0, alias: 'eventTime', from: 'kafka' },
  { callee: 'RxIO.read', arg: 1, alias: 'timestampFn', from: 'rx' },
  { callee: 'new ObservableSource', arg: 1, alias: 'timestampFn', from: 'rx' },
];

/** Whether a module specifier in `file` names the package's Kafka IO (`kafka`) or RxJS (`rx`) entry point or a file of it. */
function isIoModule(file: string, spec: string, which: 'kafka' | 'rx'): boolean {
  if (spec === (which === 'kafka' ? 'watershed/io/kafka' : 'watershed/rx')) return true;
  if (!spec.startsWith('.')) return false;
  const target = relative(ROOT, resolve(dirname(file), spec));
  const dir = which === 'kafka' ? join('transforms', 'io', 'kafka') : 'rx';
  return target === dir || target.startsWith(`${dir}${sep}`);
}

/**
 * Renames the deprecated option in an options object literal written in the call itself
 * (`KafkaIO.read({ eventTime: f })` → `KafkaIO.read({ timestamp: f })`, `{ eventTime }` →
 * `{ timestamp: eventTime }`). Options built apart from the call are not followed (TypeScript marks
 * their use of the deprecated name); a literal that already has `timestamp` is left as it is (giving
 * both is a ConflictingOptionsError at run time, which the user resolves).
 */
function optionEdits(n: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile, imported: (local: string, from: 'kafka' | 'rx') => string | undefined): Edit[] {
  const e = n.expression;
  const names: [string, 'kafka' | 'rx'][] = [];
  for (const from of ['kafka', 'rx'] as const) {
    if (ts.isIdentifier(e)) {
      const name = imported(e.text, from);
      if (name) names.push([ts.isNewExpression(n) ? `new ${name}` : name, from]);
    } else if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && ts.isCallExpression(n)) {
      const name = imported(e.expression.text, from);
      if (name) names.push([`${name}.${e.name.text}`, from]);
    }
  }
  const rule = RENAMED_OPTIONS.find((r) => names.some(([callee, from]) => callee === r.callee && from === r.from));
  const options = rule && n.arguments?.[rule.arg];
  if (!rule || !options || !ts.isObjectLiteralExpression(options)) return [];
  const nameOf = (p: ts.ObjectLiteralElementLike) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined);
  if (options.properties.some((p) => nameOf(p) === 'timestamp')) return [];
  const edits: Edit[] = [];
  for (const p of options.properties) {
    if (nameOf(p) !== rule.alias) continue;
    if (ts.isPropertyAssignment(p)) edits.push({ start: p.name.getStart(sf), end: p.name.end, text: 'timestamp', what: `${rule.callee}({ ${rule.alias} })` });
    else if (ts.isShorthandPropertyAssignment(p)) edits.push({ start: p.getStart(sf), end: p.end, text: `timestamp: ${p.name.text}`, what: `${rule.callee}({ ${rule.alias} })` });
  }
  return edits;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** What it replaces, for --check. */
  readonly what: string;
}

/** Whether a module specifier in `file` names the package's sdk or transforms. */
function isOurs(file: string, spec: string): boolean {
  if (spec === 'watershed/sdk' || spec === 'watershed/transforms' || spec === 'watershed/testing') return true;
  if (!spec.startsWith('.')) return false;
  const target = relative(ROOT, resolve(dirname(file), spec));
  return target.startsWith(`sdk${sep}`) || target.startsWith(`transforms${sep}`) || target === 'sdk' || target === 'transforms';
}

/** Local name → imported name, for the names imported from the package (from the modules `ours` accepts). */
function ourImports(file: string, sf: ts.SourceFile, ours: (file: string, spec: string) => boolean = isOurs): Map<string, { imported: string; spec: ts.ImportSpecifier }> {
  const out = new Map<string, { imported: string; spec: ts.ImportSpecifier }>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !ours(file, st.moduleSpecifier.text)) continue;
    const nb = st.importClause?.namedBindings;
    if (!nb || !ts.isNamedImports(nb)) continue;
    for (const s of nb.elements) out.set(s.name.text, { imported: (s.propertyName ?? s.name).text, spec: s });
  }
  return out;
}

/** An identifier that reads a binding (not a property name, a declaration's name or an import). */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodSignature(p)) && p.name === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return false;
  if (ts.isGetAccessor(p) || ts.isSetAccessor(p)) return false;
  return true;
}

/** Parenthesises an expression that would bind differently before `.orFinally(...)`. */
function receiver(e: ts.Expression, sf: ts.SourceFile): string {
  const text = e.getText(sf);
  const simple = ts.isIdentifier(e) || ts.isCallExpression(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e);
  return simple ? text : `(${text})`;
}

/** One pass over a file: the outermost edits (an edit inside another waits for the next pass). */
function editsOf(file: string, text: string): Edit[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports = ourImports(file, sf);
  const localOf = (imported: string) => [...imports].filter(([, v]) => v.imported === imported).map(([k]) => k);
  const factories = new Map<string, string>(); // local name → deprecated member
  for (const [local, { imported }] of imports) if (RENAMED_MEMBERS[imported]) factories.set(local, RENAMED_MEMBERS[imported]!);
  const orFinallyLocals = new Set(localOf('orFinally'));
  const mapLocals = new Set(localOf('Map'));
  const hasMapElements = localOf('MapElements').length > 0;
  const mapTarget = (local: string) => (local === 'Map' || !hasMapElements ? 'MapElements' : local);
  const ioImports = { kafka: ourImports(file, sf, (f, spec) => isIoModule(f, spec, 'kafka')), rx: ourImports(file, sf, (f, spec) => isIoModule(f, spec, 'rx')) };
  const ioImported = (local: string, from: 'kafka' | 'rx') => ioImports[from].get(local)?.imported;
  const edits: Edit[] = [];
  const visit = (n: ts.Node): void => {
    // Option renames touch only property names inside the call: the rest of it is still visited.
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) edits.push(...optionEdits(n, sf, ioImported));
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && factories.get(n.expression.text) === n.name.text) {
      edits.push({ start: n.getStart(sf), end: n.end, text: n.expression.text, what: n.getText(sf) });
      return;
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && orFinallyLocals.has(n.expression.text) && n.arguments.length === 2) {
      const [main, until] = n.arguments as unknown as [ts.Expression, ts.Expression];
      edits.push({ start: n.getStart(sf), end: n.end, text: `${receiver(main, sf)}.orFinally(${until.getText(sf)})`, what: 'orFinally(main, until)' });
      return;
    }
    if (ts.isIdentifier(n) && mapLocals.has(n.text) && isReference(n)) {
      const to = mapTarget(n.text);
      if (to !== n.text) edits.push({ start: n.getStart(sf), end: n.end, text: to, what: n.text });
      return;
    }
    if (ts.isShorthandPropertyAssignment(n) && mapLocals.has(n.name.text)) {
      const to = mapTarget(n.name.text);
      if (to !== n.name.text) edits.push({ start: n.getStart(sf), end: n.end, text: `${n.name.text}: ${to}`, what: n.name.text });
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (edits.length > 0) return edits;
  // Imports last, once no use is left to rewrite.
  return importEdits(sf, imports, orFinallyLocals, mapLocals, hasMapElements);
}

/** Drops `orFinally` once unused and imports `MapElements` in place of `Map`. */
function importEdits(
  sf: ts.SourceFile,
  imports: ReturnType<typeof ourImports>,
  orFinallyLocals: ReadonlySet<string>,
  mapLocals: ReadonlySet<string>,
  hasMapElements: boolean,
): Edit[] {
  const used = (local: string) => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && n.text === local && isReference(n)) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(sf);
    return found;
  };
  const edits: Edit[] = [];
  const decls = new Set([...imports.values()].map((v) => v.spec.parent));
  for (const named of decls) {
    const keep: string[] = [];
    let changed = false;
    for (const s of named.elements) {
      const local = s.name.text;
      if (orFinallyLocals.has(local) && !used(local)) {
        changed = true;
        continue;
      }
      if (mapLocals.has(local)) {
        // Its uses now read `MapElements`, or still the alias when `MapElements` is imported besides.
        changed = true;
        if (local !== 'Map' && hasMapElements) keep.push(`MapElements as ${local}`);
        else if (!hasMapElements) keep.push('MapElements');
        continue;
      }
      keep.push(s.getText(sf));
    }
    if (!changed) continue;
    const decl = named.parent.parent as ts.ImportDeclaration;
    if (keep.length === 0 && !named.parent.name) {
      const end = sf.text[decl.end] === '\n' ? decl.end + 1 : decl.end;
      edits.push({ start: decl.getStart(sf), end, text: '', what: 'import' });
    } else {
      edits.push({ start: named.getStart(sf), end: named.end, text: `{ ${keep.join(', ')} }`, what: 'import' });
    }
  }
  return edits;
}

/** Applies every pass to one file's text; returns the new text and what was replaced. */
export function rewrite(file: string, text: string): { text: string; replaced: string[] } {
  const replaced: string[] = [];
  if (text.includes(KEEP)) return { text, replaced };
  for (let pass = 0; pass < 20; pass++) {
    const edits = editsOf(file, text).sort((a, b) => b.start - a.start);
    if (edits.length === 0) return { text, replaced };
    for (const e of edits) {
      text = text.slice(0, e.start) + e.text + text.slice(e.end);
      replaced.push(e.what);
    }
  }
  throw new Error(`${file}: the codemod did not settle after 20 passes`);
}

function filesUnder(paths: readonly string[]): string[] {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', ...(paths.length ? paths : ['.'])], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|mts|tsx)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('node_modules/') && !f.startsWith('dist/'));
  return listed.filter((f) => statSync(join(ROOT, f), { throwIfNoEntry: false })?.isFile());
}

/**
 * Runs the codemod over the files under `paths` (the whole repository when empty), writing them unless
 * `check`. Returns the number of files looked at and one line per file that has (or had) old names.
 */
export function renameFactories(paths: readonly string[], check: boolean): { files: number; changed: string[] } {
  const self = relative(ROOT, fileURLToPath(import.meta.url));
  const files = filesUnder(paths.map((p) => relative(ROOT, resolve(p)))).filter((f) => f !== self);
  const changed: string[] = [];
  for (const f of files) {
    const path = join(ROOT, f);
    const before = readFileSync(path, 'utf8');
    const { text, replaced } = rewrite(path, before);
    if (text === before) continue;
    changed.push(`${f}: ${replaced.length} edit(s) (${[...new Set(replaced)].join(', ')})`);
    if (!check) replaceFile(path, text);
  }
  return { files: files.length, changed };
}

/** Replaces `path`'s text whole: a hidden file next to it, flushed, renamed over it (a crash mid-write never truncates a source file). */
function replaceFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.codemod-${process.pid}`);
  const fd = openSync(tmp, 'w', statSync(path).mode);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { check: { type: 'boolean', default: false } }, allowPositionals: true });
  const { files: n, changed } = renameFactories(positionals, values.check);
  const files = { length: n };
  if (values.check) {
    if (changed.length > 0) {
      process.stderr.write(`deprecated factory or option names in ${changed.length} file(s); run npx tsx scripts/codemods/rename-factories.ts\n${changed.join('\n')}\n`);
      process.exit(1);
    }
    process.stdout.write(`no deprecated factory or option names in ${files.length} files\n`);
    return;
  }
  process.stdout.write(`${changed.length} file(s) rewritten of ${files.length}\n${changed.join('\n')}${changed.length ? '\n' : ''}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
