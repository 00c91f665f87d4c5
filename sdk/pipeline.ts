import { DuplicateStepNameError, PipelineConstructionError, UnsupportedFeaturesError } from './errors.js';
import type { OutputSpec, PipelineGraph, PrimitivePayload, TransformNode } from './graph.js';
import type { AnyFlagValues, FlagSpecs, FlagValues } from './flags.js';
import { pipelineHelp, wantsHelp } from './command-line.js';
import { completeOptions, optionsFrom, refuseUnwiredCheckpointOptions, type PipelineFlags, type PipelineInit, type PipelineOptions } from './options.js';
import { PCollection } from './pcollection.js';
import type { ExpandContext, PTransform } from './ptransform.js';
import { refuseOutputConflicts } from './internal/output-targets.js';
import { registeredRunners, resolveRunner, type PipelineResult, type PipelineRun } from './runner.js';
import type { PCollectionView } from './side-input.js';

const VALID_NAME = /^[^/]+$/;

/**
 * A graph of transforms, built by applying transforms to the pipeline (for sources) and to
 * PCollections, then run on the runner chosen by the options. `A` is the type of `options.args`,
 * the parsed command-line flags.
 *
 * @example
 * const p = Pipeline.create(process.argv.slice(2));   // --runner=native | microbatch
 * p.apply('Read', Create([1, 2, 3])).apply('Double', MapElements((x: number) => x * 2));
 * const result = await p.run();
 */
export class Pipeline<A extends AnyFlagValues = AnyFlagValues> {
  /** The options it runs with (runner, batch interval, checkpoints, ...); the program's own flags are in `options.args`, typed. */
  readonly options: PipelineOptions<A>;
  private readonly nodes: TransformNode[] = [];
  private readonly primitives: TransformNode[] = [];
  private readonly pcolls: PCollection<unknown>[] = [];
  private readonly names = new Set<string>();
  private readonly scope: TransformNode[] = [];
  private nextId = 0;

  private constructor(options: PipelineOptions<A>) {
    this.options = options;
  }

  /**
   * Creates a pipeline from a command line, parsed strictly: the pipeline's flags (`--runner`,
   * `--batchInterval`, ... see PIPELINE_FLAGS) and the program's own, declared in `init.flags`, as
   * `--flag=value` or `--flag value` (boolean flags alone). Their values are in `p.options.args`,
   * typed. A misspelt or undeclared flag, a stray word or a repeated flag fails here, before anything
   * runs. `init.defaults` fill what the command line leaves out; the other fields of `init` win over it.
   * `--help` (or `-h`) prints the program's flags and the pipeline's ({@link pipelineHelp}) and exits with 0.
   * To print a bad command line as one line and exit with 2 instead of throwing:
   * `try { p = Pipeline.create(argv, init) } catch (e) { exitOnUsageError(e); throw e; }`.
   *
   * @throws UnknownFlagError naming the closest known flag; PipelineOptionsError for malformed values
   * and for a `--runner` that no registered runner has (naming the closest one).
   * @example
   * // node my-job.js --runner microbatch --input=clicks.ndjson --dryRun
   * const p = Pipeline.create(process.argv.slice(2), {
   *   flags: { input: { type: 'string', help: 'the file to read' }, dryRun: { type: 'boolean' } },
   * });
   * p.options.args.input;   // 'clicks.ndjson' (string | undefined)
   * p.options.args.dryRun;  // true (boolean | undefined)
   */
  static create<const F extends FlagSpecs = Record<never, never>>(argv: readonly string[], init?: PipelineInit<F>): Pipeline<FlagValues<PipelineFlags & F>>;
  /**
   * Creates a pipeline from an options object (defaults for what it leaves out).
   * @throws PipelineOptionsError for an unusable batch interval.
   * @example Pipeline.create({ runner: 'microbatch', batchInterval: 'asap' })
   */
  static create(options?: Partial<PipelineOptions>): Pipeline;
  static create(argvOrOptions: readonly string[] | Partial<PipelineOptions> = {}, init: PipelineInit = {}): Pipeline {
    if (Array.isArray(argvOrOptions) && wantsHelp(argvOrOptions as readonly string[])) {
      process.stdout.write(pipelineHelp(init.flags ?? {}, init.program));
      process.exit(0);
    }
    if (!Array.isArray(argvOrOptions)) return new Pipeline(completeOptions(argvOrOptions as Partial<PipelineOptions>));
    const options = optionsFrom(argvOrOptions as readonly string[], init);
    // A misspelt --runner is a command-line mistake: refused here, before the program prints or opens
    // anything (once runners are registered; else the run says to import them).
    const known = registeredRunners();
    if (options.args['runner'] !== undefined && known.length > 0 && !known.includes(options.runner)) resolveRunner(options.runner); // throws
    return new Pipeline(options);
  }

  /** Applies a root transform (a source) under its default name or the given one. */
  apply<O>(transform: PTransform<Pipeline, O>): O;
  apply<O>(name: string, transform: PTransform<Pipeline, O>): O;
  apply<O>(a: string | PTransform<Pipeline, O>, b?: PTransform<Pipeline, O>): O {
    return typeof a === 'string' ? this.applyTransform(a, b!, this) : this.applyTransform(a.name, a, this);
  }

  /** @internal Used by PCollection.apply and Pipeline.apply. */
  applyTransform<I, O>(name: string, transform: PTransform<I, O>, input: I): O {
    if (!name || !VALID_NAME.test(name)) {
      throw new PipelineConstructionError(`step name '${name}' is not valid: use a non-empty name without '/'`);
    }
    // Steps are fields of run results and checkpoints (by full name): '__proto__' would set their prototype instead.
    if (name === '__proto__') throw new PipelineConstructionError("step name '__proto__' is not valid: it cannot be a field of the run's metrics and checkpoints");
    const parent = this.scope[this.scope.length - 1];
    const fullName = parent ? `${parent.fullName}/${name}` : name;
    if (this.names.has(fullName)) throw new DuplicateStepNameError(fullName, `'${transform.name}' transform`);
    this.names.add(fullName);
    const node: TransformNode = { id: this.nextId++, fullName, parent, children: [], inputs: [], sideInputs: [], outputs: {}, payload: undefined };
    parent?.children.push(node);
    this.nodes.push(node);
    const ctx: ExpandContext = {
      pipeline: this,
      stepName: fullName,
      node,
      primitive: (payload, inputs, outputs, sideInputs) => this.makePrimitive(node, payload, inputs, outputs, sideInputs ?? []) as never,
    };
    this.scope.push(node);
    const mark = { nodes: this.nodes.length - 1, primitives: this.primitives.length, pcolls: this.pcolls.length };
    try {
      return transform.expand(input, ctx);
    } catch (e) {
      // Applying a transform is all or nothing: drop the steps it added before failing (they would
      // otherwise run, and keep their names taken).
      for (const n of this.nodes.splice(mark.nodes)) this.names.delete(n.fullName);
      this.primitives.length = mark.primitives;
      this.pcolls.length = mark.pcolls;
      parent?.children.splice(parent.children.indexOf(node), 1);
      throw e;
    } finally {
      this.scope.pop();
    }
  }

  private makePrimitive(
    node: TransformNode,
    payload: PrimitivePayload,
    inputs: readonly PCollection<unknown>[],
    outputs: Record<string, OutputSpec>,
    sideInputs: readonly PCollectionView<unknown>[],
  ): Record<string, PCollection<unknown>> {
    if (node.payload || node.children.length) throw new PipelineConstructionError(`step '${node.fullName}' defines more than one primitive`);
    for (const i of [...inputs, ...sideInputs.map((v) => v.pcollection)]) {
      if (i.pipeline !== this) throw new PipelineConstructionError(`step '${node.fullName}' uses '${i.name}' from another pipeline`);
    }
    node.payload = payload;
    node.inputs.push(...inputs);
    node.sideInputs.push(...sideInputs);
    for (const [tag, spec] of Object.entries(outputs)) {
      const pc = new PCollection<unknown>(this, this.pcolls.length, `${node.fullName}.${tag}`, node, tag, spec.windowing, spec.bounded);
      node.outputs[tag] = pc;
      this.pcolls.push(pc);
    }
    this.primitives.push(node);
    return node.outputs;
  }

  /** The graph runners execute: primitives in topological (application) order. */
  graph(): PipelineGraph {
    return { primitives: [...this.primitives], all: [...this.nodes], pcollections: [...this.pcolls] };
  }

  /** Step names in application order (composites and primitives). */
  stepNames(): string[] {
    return this.nodes.map((n) => n.fullName);
  }

  /**
   * Starts the pipeline on the runner named in the options and returns a handle to cancel it.
   * @throws PipelineOptionsError for an unknown runner; UnsupportedFeaturesError when the runner
   * cannot honour something in the pipeline (nothing has run then); PipelineOptionsError for
   * `checkpointDir` on a runner without checkpoints; OutputsCollideError when two sink steps write the
   * same file, OutputInCheckpointDirError for a sink writing inside `checkpointDir`, and a sink's typed
   * error (SinkTargetError) for a target it cannot use, such as a file where a checkpointed TextFile
   * output's folder must go (nothing has run then either).
   * @example const run = p.start(); process.once('SIGUSR2', () => void run.stop?.()); const result = await run.done;
   */
  start(): PipelineRun {
    const runner = resolveRunner(this.options.runner);
    refuseUnwiredCheckpointOptions(this.options, runner);
    const g = this.graph();
    const unsupported = runner.validate(g, this.options);
    if (unsupported.length) throw new UnsupportedFeaturesError(runner.name, unsupported);
    // Outputs the run cannot write (two sinks onto one file, a file where a part folder must go): refused
    // here, before any step is set up, as the command line refuses its flags.
    refuseOutputConflicts(g, this.options.checkpointDir);
    return runner.start(g, this.options);
  }

  /**
   * Runs the pipeline to completion (bounded inputs), until cancelled through `options.signal`, or,
   * with `options.stopOnSignals` (the default for a command line), until SIGTERM or SIGINT stops it
   * gracefully (state STOPPED, or DRAINED with `drain`). Rejects with UnsupportedFeaturesError,
   * PipelineOptionsError (OutputsCollideError for two sinks onto one file), SinkTargetError, both before
   * anything runs (see `start`), or UserCodeError (naming the step and element).
   */
  async run(): Promise<PipelineResult> {
    return this.start().done;
  }
}
