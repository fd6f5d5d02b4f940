// SSRF guard for webhook targets: a webhook must not make the server call into its own network. Private,
// loopback, link-local, carrier-grade NAT, multicast and unspecified addresses are refused (IPv4, IPv6 and
// IPv4-mapped IPv6), both when an endpoint is registered and when each attempt connects (the addresses are
// resolved again then, so a name that later points inside is refused too). WEBHOOK_ALLOW_PRIVATE=true lifts it.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** Whether an IP address is one a webhook may not reach. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return blocked.check(address, 'ipv4');
}

/** Why a URL cannot be a webhook target by its form alone (scheme, credentials), or undefined. */
export function urlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

export class ForbiddenTargetError extends Error {
  code = 'webhook-target-forbidden';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses forbidden addresses (unless allowed). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isForbiddenAddress(a.address));
      if (bad && !allowPrivate) return callback(new ForbiddenTargetError(`${hostname} resolves to ${bad.address}, a private or local address`), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Resolves the target's host and refuses it when any address is private or local (unless allowed). */
export async function targetProblem(raw: string, allowPrivate: boolean): Promise<string | undefined> {
  const form = urlProblem(raw);
  if (form) return form;
  if (allowPrivate) return undefined;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isForbiddenAddress(host) ? `${host} is a private, loopback or link-local address` : undefined;
  const addresses = await new Promise<LookupAddress[] | Error>((ok) => dnsLookup(host, { all: true }, (err, list) => ok(err ?? list)));
  if (addresses instanceof Error) return `${host} does not resolve`;
  const bad = addresses.find((a) => isForbiddenAddress(a.address));
  return bad ? `${host} resolves to ${bad.address}, a private, loopback or link-local address` : undefined;
}
