// A pipeline reading a custom Source (csv-readings-source.ts): the mean temperature per sensor and
// quarter of an hour, and the lines that could not be read.
//
//   npm run example:run -- pipelines/examples/custom-source.ts --runner=native
//   npm run example:run -- pipelines/examples/custom-source.ts --runner=microbatch --input=my-readings.csv
//
// `Read(source)` turns any Source into the first PCollection of a pipeline.
import { fileURLToPath } from 'node:url';
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { FixedWindows, Pipeline, formatWindow, kv, minutes, type DeadLetter, type KV } from 'watershed/sdk';
import { MapElements, Mean, ParDo, Read, Window } from 'watershed/transforms';
import { CsvReadings, type Reading } from './csv-readings-source.js';

const p = Pipeline.create(process.argv.slice(2), {
  flags: { input: { type: 'string', value: '<file.csv>', help: 'the readings (default: data/readings.csv beside this example)' } },
});
const input = p.options.args.input ?? fileURLToPath(new URL('./data/readings.csv', import.meta.url));

// Readings up to 5 minutes out of order are still on time.
const readings = p.apply('Readings', Read(new CsvReadings(input, minutes(5))));

readings
  .apply('Quarters', Window.into(FixedWindows(minutes(15))))
  .apply('BySensor', MapElements((r: Reading) => kv(r.sensor, r.celsius)))
  .apply('Mean', Mean.perKey<string>())
  .apply(
    'Print',
    ParDo<KV<string, number>, never>({
      process(mean, ctx) {
        console.log(`${mean.key} ${formatWindow(ctx.window)}: ${mean.value.toFixed(2)} °C`);
      },
    }),
  );

// The lines the source could not read, with why (the dead letters also hold the file and the step).
readings.deadLetters().apply(
  'PrintUnreadable',
  ParDo<DeadLetter, never>({
    process(dead) {
      console.log(`line ${dead.origin?.line} skipped (${dead.reason}: ${dead.message}): ${String(dead.element)}`);
    },
  }),
);

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
