/**
 * The client side of SCRAM (RFC 5802) with SHA-256 or SHA-512 (RFC 7677), as Kafka's SCRAM-SHA-256
 * and SCRAM-SHA-512 SASL mechanisms use it: no channel binding (`n,,`), the user name escaped
 * (`=` as `=3D`, `,` as `=2C`), the password used as given.
 *
 * {@link ScramClient} holds one exchange: `first()` is the client-first message, `final(serverFirst)`
 * the client-final message (with the proof), and `verify(serverFinal)` checks the server's
 * signature, so a server that does not know the password is not trusted either.
 *
 * Failures throw {@link ScramError}: a malformed server message, a server nonce that does not extend
 * ours, too few iterations, a server error (`e=...`) or a wrong server signature.
 *
 * @example
 * ```ts
 * const scram = new ScramClient('sha512', 'alice', 'secret');
 * const serverFirst = await send(scram.first());
 * const serverFinal = await send(scram.final(serverFirst));
 * scram.verify(serverFinal); // throws unless the server proved it knows the password too
 * ```
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';

/** Kafka's minimum iteration count for SCRAM credentials; fewer from a server is refused. */
export const SCRAM_MIN_ITERATIONS = 4096;

export class ScramError extends Error {
  override readonly name = 'ScramError';
}

const escapeName = (name: string): string => name.replaceAll('=', '=3D').replaceAll(',', '=2C');

/** `k=v` attributes of a SCRAM message. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

export class ScramClient {
  private readonly clientNonce: string;
  private readonly firstBare: string;
  private serverSignature: Buffer | null = null;

  /** `nonce` only for tests (RFC test vectors); default 24 random bytes, base64. */
  constructor(
    private readonly hash: ScramHash,
    username: string,
    private readonly password: string,
    nonce?: string,
  ) {
    this.clientNonce = nonce ?? randomBytes(24).toString('base64');
    this.firstBare = `n=${escapeName(username)},r=${this.clientNonce}`;
  }

  /** The client-first message. */
  first(): string {
    return `n,,${this.firstBare}`;
  }

  /** The client-final message for the server-first message. @throws ScramError if that message is malformed or unsafe. */
  final(serverFirst: string): string {
    const a = attributes(serverFirst);
    if (a.has('e')) throw new ScramError(`SCRAM: the server refused: ${a.get('e')}`);
    const nonce = a.get('r');
    const salt = a.get('s');
    const iterations = Number(a.get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) throw new ScramError(`SCRAM: malformed server-first message '${serverFirst}'`);
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) throw new ScramError('SCRAM: the server nonce does not extend the client nonce');
    if (iterations < SCRAM_MIN_ITERATIONS) throw new ScramError(`SCRAM: ${iterations} iterations is below the minimum of ${SCRAM_MIN_ITERATIONS}`);
    const length = this.hash === 'sha256' ? 32 : 64;
    const salted = pbkdf2Sync(this.password, Buffer.from(salt, 'base64'), iterations, length, this.hash);
    const hmac = (key: Buffer, text: string): Buffer => createHmac(this.hash, key).update(text, 'utf8').digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`; // biws = base64('n,,')
    const authMessage = `${this.firstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(length);
    for (let i = 0; i < length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server-final message. @throws ScramError on a server error or a wrong server signature. */
  verify(serverFinal: string): void {
    if (this.serverSignature === null) throw new ScramError('SCRAM: verify() before final()');
    const a = attributes(serverFinal);
    if (a.has('e')) throw new ScramError(`SCRAM: the server refused: ${a.get('e')}`);
    const v = a.get('v');
    if (v === undefined) throw new ScramError(`SCRAM: malformed server-final message '${serverFinal}'`);
    const got = Buffer.from(v, 'base64');
    if (got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new ScramError('SCRAM: the server signature is wrong (the server does not know the password)');
    }
  }
}
