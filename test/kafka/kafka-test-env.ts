/**
 * Helpers for tests that need a real Kafka broker (provided by ./global-setup.ts).
 *
 * @example
 * ```ts
 * kafkaDescribe('my kafka feature', (env) => {
 *   it('works', async () => {
 *     const kafka = createKafkajsClientFactory({ brokers: env.brokers }); // only inside hooks/tests
 *   });
 * });
 * ```
 * Without a broker the suite is reported as skipped, with the reason in its name; with
 * CI=true it fails instead.
 */
import { describe, inject, it } from 'vitest';
import type { KafkaProvidedContext } from './global-setup.js';

export interface KafkaTestEnv {
  /** `host:port[,...]` of the broker. Read it inside hooks/tests only (throws in a skipped suite). */
  readonly brokers: string;
}

/** The injected broker address, or null (see {@link kafkaSkipReason}). */
export function kafkaBrokers(): string | null {
  return (inject('kafkaBrokers') as KafkaProvidedContext['kafkaBrokers'] | undefined) ?? null;
}

/** Why no broker is available (null if one is). */
export function kafkaSkipReason(): string | null {
  if (kafkaBrokers() !== null) return null;
  const reason = inject('kafkaSkipReason') as KafkaProvidedContext['kafkaSkipReason'] | undefined;
  return reason ?? 'Kafka global setup (test/kafka/global-setup.ts) did not run';
}

function ciEnabled(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * `describe` for Kafka tests: runs `fn` with the broker address, or registers the suite as
 * skipped (`describe.skip`, name suffixed with the reason). With CI=true a missing broker is
 * a failing test instead, unless skipped on purpose with WATERSHED_KAFKA=0.
 */
export function kafkaDescribe(name: string, fn: (env: KafkaTestEnv) => void): void {
  const brokers = kafkaBrokers();
  if (brokers !== null) {
    describe(name, () => fn({ brokers }));
    return;
  }
  const reason = kafkaSkipReason() ?? 'no Kafka broker';
  if (ciEnabled() && process.env.WATERSHED_KAFKA !== '0') {
    describe(name, () => {
      it('has a Kafka broker (CI=true)', () => {
        throw new Error(`no Kafka broker in CI: ${reason}`);
      });
    });
    return;
  }
  describe.skip(`${name} [SKIPPED: no Kafka broker: ${reason}]`, () =>
    fn({
      get brokers(): string {
        throw new Error(`no Kafka broker (${reason}); read env.brokers only inside hooks/tests`);
      },
    }),
  );
}
