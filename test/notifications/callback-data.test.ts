import { randomUUID } from 'node:crypto';
import {
  CALLBACK_DATA_LIMIT,
  CALLBACKS,
  CallbackDataError,
  callbackPattern,
  decodeCallback,
  encodeCallback,
  type CallbackArgKind,
  type CallbackName,
} from '../../src/notifications/callback-data';

function sampleArg(kind: CallbackArgKind): string | number {
  if (kind === 'id') return randomUUID();
  if (kind === 'int') return 9_007_199_254_740; // large but safe
  return 'w_ord-24';
}

const names = Object.keys(CALLBACKS) as CallbackName[];

describe('callback data formats', () => {
  it.each(names)('%s round-trips through encode and decode within 64 bytes', (name) => {
    const args = CALLBACKS[name].args.map(sampleArg);
    const data = (encodeCallback as (n: CallbackName, ...a: Array<string | number>) => string)(name, ...args);
    expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
    expect(decodeCallback(data)).toEqual({ name, args });
    expect(callbackPattern(name).test(data)).toBe(true);
    for (const other of names) if (other !== name) expect(callbackPattern(other).test(data)).toBe(false);
  });

  it('keeps the formats that messages already in chats carry', () => {
    const id = '123e4567-e89b-12d3-a456-426614174000';
    expect(encodeCallback('subscriptionRenew', id)).toBe(`renew:${id}`);
    expect(encodeCallback('paymentApprove', id)).toBe(`pay:ok:${id}`);
    expect(encodeCallback('paymentReject', id)).toBe(`pay:no:${id}`);
  });

  it('has no two formats with the same prefix', () => {
    const prefixes = names.map((n) => CALLBACKS[n].prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('decodes stale, forged or oversized data to null', () => {
    for (const data of [undefined, null, '', 'renew', 'renew:', 'renew:not-a-uuid', `renew:${randomUUID()}:x`, 'pay:maybe:1', 'x'.repeat(65), `renew:${'a'.repeat(60)}`]) {
      expect(decodeCallback(data)).toBeNull();
    }
  });

  it('refuses to encode an argument that would not decode', () => {
    expect(() => encodeCallback('subscriptionRenew', 'not:a-uuid')).toThrow(CallbackDataError);
  });
});
