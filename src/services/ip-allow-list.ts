import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors';

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) → `1.2.3.4`. */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

function splitCidr(cidr: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | null {
  const [address, bits, ...rest] = cidr.trim().split('/');
  const version = isIP(address ?? '');
  if (!version || rest.length) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, type: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Validates CIDR blocks (a bare address means just that address); a bad one is BAD_USER_INPUT. */
export function parseCidrs(cidrs: readonly string[]): string[] {
  const bad = cidrs.filter((c) => !splitCidr(c));
  if (bad.length) throw new AppError('BAD_USER_INPUT', `Not a CIDR block: ${bad.join(', ')}.`, { invalidCidrs: bad });
  return cidrs.map((c) => {
    const p = splitCidr(c)!;
    return `${p.address}/${p.prefix}`;
  });
}

/** Whether `ip` falls in one of the blocks (node:net BlockList). No IP known → not allowed. */
export function ipAllowed(cidrs: readonly string[], ip: string | null): boolean {
  if (!ip) return false;
  const addr = normalizeIp(ip);
  const version = isIP(addr);
  if (!version) return false;
  const list = new BlockList();
  for (const c of cidrs) {
    const p = splitCidr(c);
    if (p) list.addSubnet(p.address, p.prefix, p.type);
  }
  return list.check(addr, version === 4 ? 'ipv4' : 'ipv6');
}
