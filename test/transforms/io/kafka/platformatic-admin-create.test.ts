/**
 * PlatformaticAdmin.createTopics on a loaded broker: metadata may say "Unknown topic" for a while
 * after CreateTopics returned. That is waited out (bounded), and only right after a create.
 */
import { UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { KafkaClientError } from '../../../../transforms/io/kafka/client.js';
import { PlatformaticAdmin } from '../../../../transforms/io/kafka/platformatic/admin.js';
import { platformaticContext } from '../../../../transforms/io/kafka/platformatic/context.js';

/** A library Admin stand-in whose metadata does not know `topic` for the first `lag` calls. */
function lagging(topic: string, lag: number) {
  let calls = 0;
  return {
    calls: () => calls,
    fake: {
      createTopics: async () => [],
      metadata: async () => {
        calls++;
        if (calls <= lag) throw new UserError(`Unknown topic ${topic}.`);
        return { topics: new Map([[topic, { partitionsCount: 2 }]]) };
      },
      listOffsets: async (o: { topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }> }) =>
        o.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, offset: 0n })) })),
      close: async () => undefined,
    },
  };
}

function adminOver(fake: object): PlatformaticAdmin {
  const admin = new PlatformaticAdmin(platformaticContext({ brokers: '127.0.0.1:1' }));
  (admin as unknown as { admin: object }).admin = fake;
  return admin;
}

describe('PlatformaticAdmin.createTopics', () => {
  it('waits until a created topic is in the metadata instead of failing with "Unknown topic"', async () => {
    const { fake, calls } = lagging('t', 5);
    await expect(adminOver(fake).createTopics([{ topic: 't', partitions: 2 }])).resolves.toBeUndefined();
    expect(calls()).toBeGreaterThan(5);
  });

  it('gives up with the unknown-topic error when the topic never appears', async () => {
    const { fake } = lagging('t', Number.POSITIVE_INFINITY);
    const error = await adminOver(fake).createTopics([{ topic: 't', partitions: 2 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as KafkaClientError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  }, 30_000);

  it('does not wait for a topic that is merely read: fetchTopicOffsets of a missing topic fails at once', async () => {
    const { fake, calls } = lagging('t', Number.POSITIVE_INFINITY);
    await expect(adminOver(fake).fetchTopicOffsets('t')).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(calls()).toBeLessThanOrEqual(2); // one metadata call per ListOffsets (earliest and latest), no retries
  });
});
