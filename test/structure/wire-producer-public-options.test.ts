/**
 * `WireProducerOptions` is public (watershed/io/kafka) and names only public types: the test seam
 * `openLeaderConnection`, whose type is the unexported `BrokerConnection`, lives on the internal
 * `WireProducerSeams` (wire-producer-seams.ts) instead.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';

const REPORT = fileURLToPath(new URL('../../api/watershed-io-kafka.api.md', import.meta.url));

describe('the public WireProducerOptions', () => {
  it('has no openLeaderConnection, and the Kafka IO API report names no BrokerConnection', () => {
    const report = readFileSync(REPORT, 'utf8');
    expect(report).not.toContain('openLeaderConnection');
    expect(report).not.toContain('BrokerConnection');
  });

  it('rejects openLeaderConnection at compile time (checked by tsc)', () => {
    const build = () =>
      new WireProducer({
        brokers: '127.0.0.1:1',
        // @ts-expect-error not a public option: tests use wireProducerWithSeams
        openLeaderConnection: () => Promise.reject(new Error('unused')),
      });
    expect(typeof build).toBe('function');
  });
});
