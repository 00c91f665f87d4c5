/**
 * The wire producer's SCRAM client (transforms/io/kafka/wire/scram.ts) against the test vector of
 * RFC 7677 (SCRAM-SHA-256, section 3), and its refusals of an unsafe or lying server.
 */
import { describe, expect, it } from 'vitest';
import { ScramClient, ScramError } from '../../../../transforms/io/kafka/wire/scram.js';

// RFC 7677, section 3: user "user", password "pencil".
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('SCRAM client (RFC 5802 / RFC 7677)', () => {
  it('produces the messages of the RFC 7677 SCRAM-SHA-256 example and accepts its server signature', () => {
    const scram = new ScramClient('sha256', 'user', 'pencil', CLIENT_NONCE);
    expect(scram.first()).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(scram.final(SERVER_FIRST)).toBe(CLIENT_FINAL);
    expect(() => scram.verify(SERVER_FINAL)).not.toThrow();
  });

  it('refuses a wrong server signature (a server that does not know the password)', () => {
    const scram = new ScramClient('sha256', 'user', 'pencil', CLIENT_NONCE);
    scram.final(SERVER_FIRST);
    expect(() => scram.verify('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).toThrow(/server signature is wrong/);
    expect(() => scram.verify('e=invalid-proof')).toThrow(ScramError);
  });

  it('a different password gives a different proof', () => {
    const scram = new ScramClient('sha256', 'user', 'pencil2', CLIENT_NONCE);
    expect(scram.final(SERVER_FIRST)).not.toBe(CLIENT_FINAL);
  });

  it('refuses a server nonce that does not extend its own, and too few iterations', () => {
    expect(() => new ScramClient('sha512', 'user', 'pencil', CLIENT_NONCE).final('r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')).toThrow(/nonce/);
    expect(() => new ScramClient('sha512', 'user', 'pencil', CLIENT_NONCE).final(`r=${CLIENT_NONCE}xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`)).toThrow(/iterations/);
    expect(() => new ScramClient('sha512', 'user', 'pencil', CLIENT_NONCE).final('garbage')).toThrow(/malformed/);
  });

  it('escapes = and , in the user name; SHA-512 proofs are 64 bytes', () => {
    const scram = new ScramClient('sha512', 'a=b,c', 'pw', CLIENT_NONCE);
    expect(scram.first()).toBe(`n,,n=a=3Db=2Cc,r=${CLIENT_NONCE}`);
    const proof = /,p=(.+)$/.exec(scram.final(`r=${CLIENT_NONCE}srv,s=c2FsdA==,i=4096`))![1]!;
    expect(Buffer.from(proof, 'base64')).toHaveLength(64);
  });
});
