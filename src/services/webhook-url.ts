import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors';
import { normalizeIp } from './ip-allow-list';

/** Addresses a webhook may not reach unless WEBHOOK_ALLOW_PRIVATE_URLS: loopback, private, link-local, CGNAT, multicast, reserved. */
const NON_PUBLIC = (() => {
  const b = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
    ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
    ['224.0.0.0', 4], ['240.0.0.0', 4],
  ] as const) b.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
    b.addSubnet(net, prefix, 'ipv6');
  }
  return b;
})();

/** Whether an address is public (not loopback, private, link-local, multicast or reserved). */
export function isPublicAddress(address: string): boolean {
  const ip = normalizeIp(address);
  const v = isIP(ip);
  if (!v) return false;
  return !NON_PUBLIC.check(ip, v === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a resolved address against the policy; throws WEBHOOK_URL_REFUSED. */
export function assertAllowedAddress(address: string, allowPrivate: boolean): void {
  if (!allowPrivate && !isPublicAddress(address)) {
    throw new AppError('WEBHOOK_URL_REFUSED', `The webhook host resolves to ${address}, a loopback, private or reserved address.`);
  }
}

/**
 * Validates a receiver URL: http(s) only, no credentials, and (unless `allowPrivate`) every
 * address the host resolves to must be public. The worker checks the address again when it
 * connects (DNS may change), see webhook.delivery.ts.
 */
export async function validateWebhookUrl(raw: string, opts: { allowPrivate: boolean; resolve?: typeof lookup }): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new AppError('WEBHOOK_URL_REFUSED', 'The webhook URL is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('WEBHOOK_URL_REFUSED', 'The webhook URL must use http or https.');
  if (url.username || url.password) throw new AppError('WEBHOOK_URL_REFUSED', 'The webhook URL must not carry credentials.');
  if (raw.length > 2000) throw new AppError('WEBHOOK_URL_REFUSED', 'The webhook URL is too long.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    assertAllowedAddress(host, opts.allowPrivate);
  } else if (!opts.allowPrivate) {
    let addresses: Array<{ address: string }>;
    try {
      addresses = await (opts.resolve ?? lookup)(host, { all: true });
    } catch {
      throw new AppError('WEBHOOK_URL_REFUSED', `The webhook host ${host} does not resolve.`);
    }
    if (addresses.length === 0) throw new AppError('WEBHOOK_URL_REFUSED', `The webhook host ${host} does not resolve.`);
    for (const a of addresses) assertAllowedAddress(a.address, false);
  }
  return url.toString();
}
