import net from 'node:net';
import { KafkaClientError, KafkaUnavailableError } from '../client.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';

/** Settings of one {@link BrokerConnection}. */
export interface BrokerConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /** Connecting fails with KafkaUnavailableError after this long. */
  readonly connectTimeoutMs: number;
  /** A request without a response after this long fails (retriable), and the connection is closed. */
  readonly requestTimeoutMs: number;
}

interface Pending {
  resolve(r: ByteReader): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP connection to one Kafka broker: request framing (request header v1, response
 * header v0: the classic, non-flexible versions), correlation ids, pipelining (any number of
 * requests may be outstanding; Kafka answers them in order), and timeouts.
 *
 * Failures: connecting, a dropped connection or a request timeout reject with
 * {@link KafkaUnavailableError} (retriable). After a failure the connection is dead
 * (`alive === false`) and every outstanding request is rejected; make a new one.
 *
 * @example
 * ```ts
 * const c = await BrokerConnection.open({ host: '127.0.0.1', port: 19092, clientId: 'w', connectTimeoutMs: 2000, requestTimeoutMs: 30000 });
 * const r = await c.request(18, 0, () => {}); // ApiVersions v0
 * c.close();
 * ```
 */
export class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    readonly options: BrokerConnectionOptions,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(this.unavailable(`connection error: ${e.message}`, e)));
    socket.on('close', () => this.fail(this.unavailable('connection closed by the broker')));
  }

  /** `host:port` of the broker. */
  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** False once the connection failed or was closed. */
  get alive(): boolean {
    return this.failure === null;
  }

  /** Number of requests awaiting their response. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Connects; rejects with {@link KafkaUnavailableError} if the broker cannot be reached in time. */
  static open(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: options.host, port: options.port });
      socket.setNoDelay(true);
      const address = `${options.host}:${options.port}`;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KafkaUnavailableError(`could not connect to Kafka broker ${address} within ${options.connectTimeoutMs} ms`, { brokers: [address] }));
      }, options.connectTimeoutMs);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new KafkaUnavailableError(`could not connect to Kafka broker ${address}: ${e.message}`, { brokers: [address], cause: e }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new BrokerConnection(socket, options));
      });
    });
  }

  /**
   * Sends request `apiKey`/`apiVersion` whose body `writeBody` writes, and resolves with a
   * reader positioned at the start of the response body.
   */
  request(apiKey: number, apiVersion: number, writeBody: (w: ByteWriter) => void, sizeHint = 256): Promise<ByteReader> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0 || 1;
    const w = new ByteWriter(sizeHint + 64);
    w.int32(0).int16(apiKey).int16(apiVersion).int32(correlationId).string(this.options.clientId);
    writeBody(w);
    w.int32At(0, w.pos - 4);
    return new Promise<ByteReader>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(this.unavailable(`no response to request ${apiKey} v${apiVersion} within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      timer.unref();
      this.pending.set(correlationId, { resolve, reject, timer });
      this.socket.write(w.finish());
    });
  }

  /** Closes the connection; outstanding requests are rejected. Safe to call more than once. */
  close(): void {
    this.fail(new KafkaClientError(`connection to ${this.address} closed`, { retriable: true }));
    this.socket.destroy();
  }

  private unavailable(message: string, cause?: unknown): KafkaUnavailableError {
    return new KafkaUnavailableError(`Kafka broker ${this.address}: ${message}`, { brokers: [this.address], cause });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.merge();
      const size = head.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const all = this.merge();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.dispatch(frame);
    }
  }

  private merge(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  private dispatch(frame: Buffer): void {
    const r = new ByteReader(frame);
    const correlationId = r.int32();
    const p = this.pending.get(correlationId);
    if (!p) {
      this.fail(this.unavailable(`response with unknown correlation id ${correlationId}`));
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    p.resolve(r);
  }
}
