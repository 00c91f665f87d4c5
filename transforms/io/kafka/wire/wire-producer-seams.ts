import type { BrokerConnection, BrokerConnectionOptions } from './broker-connection.js';
import { WireProducer, type WireProducerOptions } from './wire-producer.js';

/**
 * {@link WireProducerOptions} plus the seams tests use for fault injection. Internal: not exported by
 * the package (`watershed/io/kafka` has `WireProducerOptions` only), so the public options type never
 * names the unexported `BrokerConnection`.
 */
export interface WireProducerSeams extends WireProducerOptions {
  /**
   * Opens connections to partition leaders and transaction coordinators (default
   * `BrokerConnection.open`), e.g. a connection that drops after some requests.
   */
  readonly openLeaderConnection?: (options: BrokerConnectionOptions) => Promise<BrokerConnection>;
}

/**
 * A {@link WireProducer} with test seams; otherwise the same as `new WireProducer(options)`.
 * @example wireProducerWithSeams({ brokers, openLeaderConnection: async (o) => flaky(await BrokerConnection.open(o)) })
 */
export function wireProducerWithSeams(options: WireProducerSeams): WireProducer {
  return new WireProducer(options);
}
