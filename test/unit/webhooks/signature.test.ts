import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../../../functions/modules/webhooks/signature.js';

/** The published test vector of the Standard Webhooks specification (and its reference libraries). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const vectorTime = new Date(Number(VECTOR.timestamp) * 1000);

const SECRET = 'whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IG9mIDMyIGJ5dGVzIQ==';
const OTHER_SECRET = 'whsec_YW5vdGhlciBzZWNyZXQgb2YgdGhpcnR5LXR3byBieXRlcw==';

/** Signs as an insurer would, with the reference library. */
function signedBy(secret: string, body: string, at: Date, id = 'msg_1') {
  const signature = new Webhook(secret).sign(id, at, body);
  return { id, timestamp: String(Math.floor(at.getTime() / 1000)), signature };
}

describe('Standard Webhooks signature verification', () => {
  it('reproduces the specification test vector', () => {
    expect(sign(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    const result = verifySignature(
      { id: VECTOR.id, timestamp: VECTOR.timestamp, signature: VECTOR.signature },
      VECTOR.body,
      [VECTOR.secret],
      vectorTime,
    );
    expect(result).toEqual({ ok: true, webhookId: VECTOR.id, timestamp: vectorTime });
  });

  it('accepts a delivery signed by the standardwebhooks reference library', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const body = '{"type":"policy.issued","data":{"x":1}}';
    const result = verifySignature(signedBy(SECRET, body, now), body, [SECRET], now);
    expect(result.ok).toBe(true);
  });

  it('agrees with the reference library on what our signer produces', () => {
    const now = new Date();
    const body = '{"a":"ž"}';
    const ts = Math.floor(now.getTime() / 1000);
    const headers = {
      'webhook-id': 'msg_x',
      'webhook-timestamp': String(ts),
      'webhook-signature': sign(SECRET, 'msg_x', ts, body),
    };
    expect(new Webhook(SECRET).verify(body, headers)).toEqual({ a: 'ž' });
  });

  it('refuses a tampered body', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const headers = signedBy(SECRET, '{"amount":"100.00"}', now);
    expect(verifySignature(headers, '{"amount":"900.00"}', [SECRET], now)).toEqual({
      ok: false,
      reason: 'NO_MATCHING_SIGNATURE',
    });
  });

  it('refuses a signature made with another secret', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const headers = signedBy(OTHER_SECRET, '{}', now);
    expect(verifySignature(headers, '{}', [SECRET], now)).toMatchObject({ ok: false });
  });

  it('refuses a changed webhook id (the id is signed)', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const headers = { ...signedBy(SECRET, '{}', now, 'msg_a'), id: 'msg_b' };
    expect(verifySignature(headers, '{}', [SECRET], now)).toMatchObject({ ok: false });
  });

  it('accepts timestamps up to 5 minutes old or ahead and refuses beyond', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const check = (seconds: number) =>
      verifySignature(signedBy(SECRET, '{}', at(seconds)), '{}', [SECRET], now);
    expect(check(-300).ok).toBe(true);
    expect(check(300).ok).toBe(true);
    expect(check(-301)).toEqual({ ok: false, reason: 'TIMESTAMP_TOO_OLD' });
    expect(check(301)).toEqual({ ok: false, reason: 'TIMESTAMP_TOO_NEW' });
  });

  it('finds the valid one among several signatures in the header, under either secret of a rotation', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const body = '{"rotating":true}';
    const oldSig = signedBy(OTHER_SECRET, body, now).signature;
    const newSig = signedBy(SECRET, body, now);
    const both = { ...newSig, signature: `v1,AAAA ${oldSig} ${newSig.signature}` };
    expect(verifySignature(both, body, [SECRET], now).ok).toBe(true);
    expect(verifySignature({ ...newSig, signature: oldSig }, body, [SECRET, OTHER_SECRET], now).ok).toBe(
      true,
    );
    expect(verifySignature({ ...newSig, signature: oldSig }, body, [SECRET], now).ok).toBe(false);
  });

  it('refuses missing headers and a malformed timestamp', () => {
    const now = new Date();
    expect(
      verifySignature({ id: 'm', timestamp: undefined, signature: 'v1,x' }, '{}', [SECRET], now),
    ).toEqual({
      ok: false,
      reason: 'MISSING_HEADERS',
    });
    expect(verifySignature({ id: 'm', timestamp: '12e3', signature: 'v1,x' }, '{}', [SECRET], now)).toEqual({
      ok: false,
      reason: 'BAD_TIMESTAMP',
    });
  });
});
