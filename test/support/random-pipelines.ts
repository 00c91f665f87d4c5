import fc from 'fast-check';
import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { StateSpec } from '../../sdk/state.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { View } from '../../sdk/side-input.js';
import { Combine } from '../../transforms/combine.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';

/** One step of a random pipeline: a read, or a step over earlier steps' outputs (by index). */
export type RandomOp =
  | { kind: 'read' }
  | { kind: 'map'; of: number }
  | { kind: 'keyed'; of: number; how: 'gbk' | 'combine' | 'stateful' }
  | { kind: 'flatten'; of: number[] }
  | { kind: 'side'; of: number; view: number };

const op = (n: number): fc.Arbitrary<RandomOp> => {
  const at = fc.nat({ max: n - 1 });
  return fc.oneof(
    fc.constant<RandomOp>({ kind: 'read' }),
    at.map((of): RandomOp => ({ kind: 'map', of })),
    fc.tuple(at, fc.constantFrom('gbk' as const, 'combine' as const, 'stateful' as const)).map(([of, how]): RandomOp => ({ kind: 'keyed', of, how })),
    fc.array(at, { minLength: 1, maxLength: 3 }).map((of): RandomOp => ({ kind: 'flatten', of })),
    fc.tuple(at, at).map(([of, view]): RandomOp => ({ kind: 'side', of, view })),
  );
};

/** Programs of 1–12 steps, the first a read: reads, maps, keyed steps (GroupByKey, Combine.perKey, stateful ParDo), flattens, side inputs. */
export const randomPipelineProgram: fc.Arbitrary<RandomOp[]> = fc
  .integer({ min: 1, max: 12 })
  .chain((len) => fc.tuple(...Array.from({ length: len }, (_, i) => (i === 0 ? fc.constant<RandomOp>({ kind: 'read' }) : op(i)))));

const counter = statefulDoFn<KV<number, number>>()({
  state: { n: StateSpec.value<number>() },
  process(e, ctx) {
    ctx.state.n.write((ctx.state.n.read() ?? 0) + 1);
    return kv(e.key, e.value);
  },
});

/**
 * The pipeline of a {@link randomPipelineProgram}: step i is named `S<i>` (a GroupByKey is followed by `S<i>Sum`).
 * @example fc.assert(fc.property(randomPipelineProgram, (ops) => check(buildRandomPipeline(ops).graph())))
 */
export function buildRandomPipeline(ops: readonly RandomOp[]): Pipeline {
  const p = Pipeline.create({});
  const made: PCollection<KV<number, number>>[] = [];
  ops.forEach((o, i) => {
    const name = `S${i}`;
    switch (o.kind) {
      case 'read':
        made.push(p.apply(name, Create([kv(i, i)])));
        break;
      case 'map':
        made.push(made[o.of]!.apply(name, MapElements((e: KV<number, number>) => kv(e.key + 1, e.value))));
        break;
      case 'keyed':
        made.push(
          o.how === 'gbk'
            ? made[o.of]!.apply(name, GroupByKey<number, number>()).apply(`${name}Sum`, MapElements((g: KV<number, number[]>) => kv(g.key, g.value.length)))
            : o.how === 'combine'
              ? made[o.of]!.apply(name, Combine.perKey<number, number, unknown, number>(sumFn() as never))
              : made[o.of]!.apply(name, ParDo(counter)),
        );
        break;
      case 'flatten':
        made.push(p.apply(name, Flatten(...o.of.map((j) => made[j]!))));
        break;
      case 'side': {
        const view = View.asList(made[o.view]!);
        made.push(made[o.of]!.apply(name, ParDo<KV<number, number>, KV<number, number>>({ process: (e, ctx) => kv(e.key, ctx.sideInput(view).length) }).withSideInputs(view)));
        break;
      }
    }
  });
  return p;
}
