/**
 * The codemod of the factory renames (scripts/codemods/rename-factories.ts), on small sources: it
 * rewrites the deprecated spellings of names imported from the package only, keeps type arguments,
 * moves `orFinally(a, b)` onto its receiver (nested ones too), follows an aliased `Map`, fixes the
 * imports, renames the deprecated event-time options of sources (KafkaIO `eventTime`, RxIO
 * `timestampFn`) to `timestamp`, and a second run changes nothing.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rewrite } from '../../scripts/codemods/rename-factories.js';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'test/structure/sample.ts');
const once = (src: string) => rewrite(FILE, src).text;

describe('rename-factories codemod', () => {
  it('calls the factories instead of their deprecated members, keeping type arguments', () => {
    const src = [
      "import { Create, GroupByKey, ParDo, Read } from 'watershed/transforms';",
      "import { AfterEach, AfterWatermark, Repeatedly, AfterCount } from '../../sdk/index.js';",
      'p.apply(Create.of([1])).apply(GroupByKey.create<number, string>()).apply(ParDo.of<A, B>(fn));',
      'const r = Read.from(src); const t = AfterEach.inOrder(Repeatedly.forever(AfterCount(1)), AfterWatermark.pastEndOfWindow());',
      '',
    ].join('\n');
    expect(once(src)).toBe(
      [
        "import { Create, GroupByKey, ParDo, Read } from 'watershed/transforms';",
        "import { AfterEach, AfterWatermark, Repeatedly, AfterCount } from '../../sdk/index.js';",
        'p.apply(Create([1])).apply(GroupByKey<number, string>()).apply(ParDo<A, B>(fn));',
        'const r = Read(src); const t = AfterEach(Repeatedly(AfterCount(1)), AfterWatermark());',
        '',
      ].join('\n'),
    );
  });

  it('moves orFinally onto its first argument, nested too, and drops it from the import', () => {
    const src = [
      "import { orFinally, AfterCount, Repeatedly, type Trigger } from 'watershed/sdk';",
      'const t = orFinally(orFinally(Repeatedly(AfterCount(1)), AfterCount(3)), AfterCount(9));',
      'const u = orFinally(cond ? a : b, AfterCount(2));',
      '',
    ].join('\n');
    expect(once(src)).toBe(
      [
        "import { AfterCount, Repeatedly, type Trigger } from 'watershed/sdk';",
        'const t = Repeatedly(AfterCount(1)).orFinally(AfterCount(3)).orFinally(AfterCount(9));',
        'const u = (cond ? a : b).orFinally(AfterCount(2));',
        '',
      ].join('\n'),
    );
  });

  it('renames Map, aliased or not, and leaves names from elsewhere alone', () => {
    expect(once("import { Map } from 'watershed/transforms';\nx.apply(Map((v: number) => v));\nconst o = { Map };\n")).toBe(
      "import { MapElements } from 'watershed/transforms';\nx.apply(MapElements((v: number) => v));\nconst o = { Map: MapElements };\n",
    );
    expect(once("import { Map as MapT } from '../../transforms/map.js';\nx.apply(MapT(f)); const m = new Map();\n")).toBe(
      "import { MapElements } from '../../transforms/map.js';\nx.apply(MapElements(f)); const m = new Map();\n",
    );
    expect(once("import { Map as MapT, MapElements } from 'watershed/transforms';\nx.apply(MapT(f));\n")).toBe(
      "import { MapElements as MapT, MapElements } from 'watershed/transforms';\nx.apply(MapT(f));\n",
    );
    const foreign = "import { Create } from 'other-lib';\nconst m = new Map(); Create.of(1); obj.ParDo.of(2);\n";
    expect(once(foreign)).toBe(foreign);
  });

  it("renames a source's deprecated event-time option to `timestamp` in an options literal of the call", () => {
    const src = [
      "import { KafkaIO } from 'watershed/io/kafka';",
      "import { RxIO, ObservableSource } from '../../rx/index.js';",
      "p.apply(KafkaIO.read<Click>({ brokers, topics: 't', startAt: 'earliest', eventTime: (c) => c.at, watermark: { eventTime: 1 } }));",
      'p.apply(RxIO.read(clicks$, { timestampFn, bounded: true })); new ObservableSource(o$, { "timestampFn": f });',
      '',
    ].join('\n');
    expect(once(src)).toBe(
      [
        "import { KafkaIO } from 'watershed/io/kafka';",
        "import { RxIO, ObservableSource } from '../../rx/index.js';",
        "p.apply(KafkaIO.read<Click>({ brokers, topics: 't', startAt: 'earliest', timestamp: (c) => c.at, watermark: { eventTime: 1 } }));",
        'p.apply(RxIO.read(clicks$, { timestamp: timestampFn, bounded: true })); new ObservableSource(o$, { timestamp: f });',
        '',
      ].join('\n'),
    );
  });

  it('leaves event-time options alone elsewhere: other libraries, other arguments, a literal that already has `timestamp`', () => {
    const untouched = [
      "import { KafkaIO } from 'some-other-kafka';",
      "import { RxIO } from 'watershed/rx';",
      'KafkaIO.read({ eventTime: f }); RxIO.read({ timestampFn: f }, { watermark: {} }); RxIO.toObservable({ timestampFn: f });',
      'RxIO.read(o$, { timestamp: f, timestampFn: g }); const opts = { timestampFn: f };',
      '',
    ].join('\n');
    expect(once(untouched)).toBe(untouched);
  });

  it('is idempotent and leaves a file marked keep-deprecated alone', () => {
    const src = "import { orFinally, Create } from 'watershed/sdk';\norFinally(a, b); Create.of([1]);\n";
    const after = once(src);
    expect(rewrite(FILE, after)).toEqual({ text: after, replaced: [] });
    const kept = `// codemod: keep-deprecated\n${src}`;
    expect(once(kept)).toBe(kept);
  });
});
