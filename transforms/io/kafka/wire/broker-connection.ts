import net from 'node:net';
import tls from 'node:tls';
import { KafkaClientError, KafkaUnavailableError } from '../client.js';
import type { KafkaSaslOptions, ResolvedKafkaSsl } from '../security.js';
import { API_API_VERSIONS, apiName, negotiateVersions, readApiVersions, WIRE_APIS } from './api-versions.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { authenticate } from './sasl.js';

/** Settings of one {@link BrokerConnection}. */
export interface BrokerConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /** Connecting fails with KafkaUnavailableError after this long. */
  readonly connectTimeoutMs: number;
  /** A request without a response after this long fails (retriable), and the connection is closed. */
  readonly requestTimeoutMs: number;
  /** TLS settings (PEM contents, see `resolveKafkaSsl`); unset: plain TCP. */
  readonly ssl?: ResolvedKafkaSsl;
  /** SASL credentials; unset: no authentication. */
  readonly sasl?: KafkaSaslOptions;
}

/** Node's codes for a broker certificate that cannot be trusted: retrying cannot help. */
const CERTIFICATE_ERROR = /CERT|SIGNATURE|ALTNAME|SELF_SIGNED|UNABLE_TO_GET_ISSUER/;

interface Pending {
  resolve(r: ByteReader): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP (or TLS) connection to one Kafka broker: request framing (request header v1, response
 * header v0: the classic, non-flexible versions), correlation ids, pipelining (any number of
 * requests may be outstanding; Kafka answers them in order), and timeouts.
 *
 * `open` connects (with `node:tls` when `ssl` is set), asks ApiVersions and picks the version of
 * each API to use ({@link version}; see ./api-versions.ts), and authenticates with SASL when `sasl`
 * is set (./sasl.ts), all within `connectTimeoutMs`.
 *
 * Failures: connecting, a dropped connection or a request timeout reject with
 * {@link KafkaUnavailableError} (retriable). Failures that retrying cannot fix are not retriable
 * {@link KafkaClientError}s: wrong credentials (`KafkaAuthenticationError`), an untrusted broker
 * certificate (code `TLS_CERTIFICATE`), a TLS listener reached without `ssl` (code `TLS_REQUIRED`),
 * a broker lacking a needed API version (code `UNSUPPORTED_VERSION`). After a failure the
 * connection is dead (`alive === false`) and every outstanding request is rejected; make a new one.
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
  private versions: ReadonlyMap<number, number> = new Map([[API_API_VERSIONS, 2]]);
  /** Nothing answered yet: a TLS record arriving now means a TLS listener reached in plain text. */
  private firstBytes = true;

  private constructor(
    private readonly socket: net.Socket,
    readonly options: BrokerConnectionOptions,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(this.unavailable(`connection error: ${e.message}`, e)));
    socket.on('close', () => this.fail(this.unavailable(this.firstBytes ? 'connection closed by the broker before it answered (a TLS listener reached without ssl?)' : 'connection closed by the broker')));
  }

  /**
   * The version of API `apiKey` to use with this broker: the highest both support.
   * @throws KafkaClientError (code `UNSUPPORTED_VERSION`) if there is none.
   */
  version(apiKey: number): number {
    const v = this.versions.get(apiKey);
    if (v === undefined) {
      throw new KafkaClientError(`Kafka broker ${this.address} supports no version of ${apiName(apiKey)} that the wire producer speaks`, { retriable: false, code: 'UNSUPPORTED_VERSION' });
    }
    return v;
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

  /**
   * Connects, negotiates API versions and authenticates, within `connectTimeoutMs`. Rejects with
   * {@link KafkaUnavailableError} if the broker cannot be reached in time, or with the not retriable
   * errors listed on the class.
   */
  static async open(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const address = `${options.host}:${options.port}`;
    let connection = null as BrokerConnection | null;
    let timer: NodeJS.Timeout | undefined;
    const socket = options.ssl
      ? tls.connect({
          host: options.host,
          port: options.port,
          ...(net.isIP(options.host) === 0 ? { servername: options.host } : {}),
          ...(options.ssl.ca ? { ca: options.ssl.ca } : {}),
          ...(options.ssl.cert ? { cert: options.ssl.cert } : {}),
          ...(options.ssl.key ? { key: options.ssl.key } : {}),
          rejectUnauthorized: options.ssl.rejectUnauthorized,
        })
      : net.createConnection({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        socket.destroy();
        connection?.close();
        reject(new KafkaUnavailableError(`could not connect to Kafka broker ${address} within ${options.connectTimeoutMs} ms`, { brokers: [address] }));
      }, options.connectTimeoutMs);
    });
    const connected = new Promise<BrokerConnection>((resolve, reject) => {
      const onError = (e: Error & { code?: string }): void => {
        socket.destroy();
        if (options.ssl && typeof e.code === 'string' && CERTIFICATE_ERROR.test(e.code)) {
          reject(new KafkaClientError(`Kafka broker ${address}: its TLS certificate is not trusted (${e.code}: ${e.message}); give the CA with ssl.ca (--kafkaCa)`, { retriable: false, code: 'TLS_CERTIFICATE', cause: e }));
          return;
        }
        const hint = options.ssl ? ' (TLS handshake failed: is it a TLS listener?)' : '';
        reject(new KafkaUnavailableError(`could not connect to Kafka broker ${address}: ${e.message}${hint}`, { brokers: [address], cause: e }));
      };
      socket.once('error', onError);
      socket.once(options.ssl ? 'secureConnect' : 'connect', () => {
        socket.off('error', onError);
        resolve((connection = new BrokerConnection(socket, options)));
      });
    });
    try {
      const c = await Promise.race([connected, expired]);
      await Promise.race([c.setUp(), expired]);
      return c;
    } catch (e) {
      connection?.close();
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** ApiVersions, then SASL when configured. */
  private async setUp(): Promise<void> {
    const r = await this.request(API_API_VERSIONS, 2, () => {});
    this.versions = negotiateVersions(readApiVersions(r, this.address), WIRE_APIS, this.address);
    if (this.options.sasl) await authenticate(this, this.options.sasl);
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
    if (this.firstBytes) {
      this.firstBytes = false;
      // A TLS record (alert 0x15 or handshake 0x16, version 3.x) where a Kafka response should be.
      if (!this.options.ssl && data.length >= 2 && (data[0] === 0x15 || data[0] === 0x16) && data[1] === 0x03) {
        this.fail(new KafkaClientError(`Kafka broker ${this.address} answered with TLS: it is a TLS (SSL or SASL_SSL) listener; connect with ssl (--kafkaCa)`, { retriable: false, code: 'TLS_REQUIRED' }));
        return;
      }
    }
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
