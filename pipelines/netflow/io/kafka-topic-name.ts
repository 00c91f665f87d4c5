/**
 * Kafka's rule for a topic name, checked where a flag names a topic (`--input=kafka:<topic>`, ...)
 * so that a name the broker would refuse is a usage error before anything connects.
 */

/** The longest topic name Kafka takes. */
export const MAX_KAFKA_TOPIC_LENGTH = 249;

/**
 * Why `topic` is not a Kafka topic name (letters, digits, '.', '_' and '-', 1 to 249 of them, not
 * '.' or '..'), or undefined when it is one.
 * @example kafkaTopicProblem('net flows') // "a Kafka topic name has letters, digits, '.', '_' and '-' only"
 * @example kafkaTopicProblem('netflow-pairs') // undefined
 */
export function kafkaTopicProblem(topic: string): string | undefined {
  if (topic === '' || topic === '.' || topic === '..') return "a Kafka topic name is not empty, '.' or '..'";
  if (topic.length > MAX_KAFKA_TOPIC_LENGTH) return `a Kafka topic name has at most ${MAX_KAFKA_TOPIC_LENGTH} characters, this one ${topic.length}`;
  if (!/^[A-Za-z0-9._-]+$/.test(topic)) return "a Kafka topic name has letters, digits, '.', '_' and '-' only";
  return undefined;
}
