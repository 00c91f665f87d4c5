// Loads every entry point of the installed package the way a user's program would, and checks what
// each exports: the public names are there, the runtime's internals are not, and deep imports are refused.
import { strict as assert } from 'node:assert';
import * as io from 'watershed/io/kafka';
import * as generate from 'watershed/io/generate';
import * as textFile from 'watershed/io/text-file';
import * as zeekLog from 'watershed/io/zeek-log';
import * as suricataEve from 'watershed/io/suricata-eve';
import * as runners from 'watershed/runners';
import * as sdk from 'watershed/sdk';
import * as testing from 'watershed/testing';
import * as transforms from 'watershed/transforms';

const has = (entry: string, module: object, names: readonly string[]): void => {
  for (const name of names) assert.ok(name in module, `watershed/${entry} should export ${name}`);
};
const lacks = (entry: string, module: object, names: readonly string[]): void => {
  for (const name of names) assert.ok(!(name in module), `watershed/${entry} exports the internal ${name}`);
};

has('sdk', sdk, ['Pipeline', 'FixedWindows', 'AfterWatermark', 'defineTrigger', 'seconds', 'WatershedError']);
lacks('sdk', sdk, ['withSub', 'FINISHED', 'UNFINISHED', 'isElementSensitive', 'readsProcessingTime', 'triggerTimeDomains', 'mod', 'parseArgs']);
lacks('sdk', sdk, ['completeOptions', 'continuationStrategy', 'refuseUnwiredCheckpointOptions', 'sideInputWindowFor', 'encodeKey', 'sourceBatchSize', 'resolveRunner']);
has('transforms', transforms, ['Create', 'Read', 'ParDo', 'MapElements', 'GroupByKey', 'Combine', 'Count', 'Window']);
lacks('transforms', transforms, ['aggregatePrimitive', 'ElementWise']);
has('runners', runners, ['NativeRunner', 'MicroBatchRunner', 'SystemClock']);
has('testing', testing, ['TestStream', 'Capture', 'VirtualClock']);
has('io/kafka', io, ['KafkaIO', 'Serde', 'createKafkaClientFactory']);
lacks('io/kafka', io, ['TransactionSlots']);
has('io/text-file', textFile, ['TextFile']);
has('io/generate', generate, ['Generate']);
has('io/zeek-log', zeekLog, ['ZeekLog', 'ZEEK_CONN_TYPES']);
has('io/suricata-eve', suricataEve, ['SuricataEve', 'eveTime']);
assert.deepEqual(sdk.registeredRunners().sort(), ['microbatch', 'native']);

// Only the entry points above are importable: the files behind them are not (ERR_PACKAGE_PATH_NOT_EXPORTED).
const deep = 'watershed/dist/sdk/internal/trigger-state.js';
await assert.rejects(import(deep), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
console.log('entry points ok');
