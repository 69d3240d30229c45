import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The SSRF guard of outgoing webhooks: an endpoint may only point at the public internet. A URL is
 * checked when an endpoint is registered (scheme, host names and literal addresses) and its host is
 * resolved again before every delivery, so a name that later resolves to a private, link-local or
 * metadata address is refused then, and the delivery connects to the addresses checked
 * (`pinned-sender.ts`), never to a second resolution's.
 */

/** Where endpoints may point: loopback over http only on the local stack and in tests. */
export interface EndpointUrlPolicy {
  allowLoopback: boolean;
}

/** The cloud's policy (the default): https to public addresses only. */
export const PUBLIC_ONLY: EndpointUrlPolicy = { allowLoopback: false };
/** The local stack's and tests' policy: also http(s) to loopback, where their receivers listen. */
export const LOOPBACK_ALLOWED: EndpointUrlPolicy = { allowLoopback: true };

/** The policy of a deployment stage: loopback only where the whole product runs on one machine. */
export function urlPolicyForStage(stage: string): EndpointUrlPolicy {
  return stage === 'local' || stage === 'test' ? LOOPBACK_ALLOWED : PUBLIC_ONLY;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Every range that is not the public internet: private, shared, link-local (cloud metadata), reserved. */
const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  internal.addSubnet(net, prefix, 'ipv6');

/** Host names that name the machine itself or a cloud's metadata service. */
const INTERNAL_NAMES = /(^|\.)(localhost|localdomain|internal|local)$/i;
const LOOPBACK_NAMES = new Set(['localhost']);

/** An IPv4 address embedded in an IPv6 one (`::ffff:10.0.0.1`), which connects to the IPv4 host. */
function unwrapMapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

const familyOf = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

function isLoopbackAddress(address: string): boolean {
  const ip = unwrapMapped(address);
  return loopback.check(ip, familyOf(ip));
}

/** Why an address may not be called, or null when it may. */
export function addressProblem(address: string, policy: EndpointUrlPolicy): string | null {
  const ip = unwrapMapped(address.replace(/^\[|\]$/g, ''));
  if (isLoopbackAddress(ip)) return policy.allowLoopback ? null : `${ip} is a loopback address`;
  if (internal.check(ip, familyOf(ip))) return `${ip} is a private, link-local or reserved address`;
  return null;
}

/** Why a URL may not be registered as an endpoint, or null when it may (no DNS: see {@link resolvedProblem}). */
export function urlProblem(value: string, policy: EndpointUrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const isLoopbackHost =
    LOOPBACK_NAMES.has(host.toLowerCase()) || (isIP(host) !== 0 && isLoopbackAddress(host));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback && isLoopbackHost))
    return policy.allowLoopback ? 'must be an https URL (http only for localhost)' : 'must be an https URL';
  if (isIP(host) !== 0) return addressProblem(host, policy);
  if (isLoopbackHost) return policy.allowLoopback ? null : `${host} is this machine`;
  if (INTERNAL_NAMES.test(host) || !host.includes('.')) return `${host} is not a public host name`;
  return null;
}

/** Resolves a host to every address it has (A and AAAA). */
export type HostResolver = (host: string) => Promise<string[]>;

export const dnsResolver: HostResolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The addresses a delivery to this URL may connect to now, or why it may not be made: the URL's own
 * problem, a host that does not resolve, or any address it resolves to that is not public. The
 * sender then connects to these addresses only (a second resolution could answer another: DNS
 * rebinding). `addresses` is null where there is nothing to resolve (an address literal, localhost).
 */
export async function checkedAddresses(
  value: string,
  policy: EndpointUrlPolicy,
  resolve: HostResolver = dnsResolver,
): Promise<{ problem: string } | { problem: null; addresses: string[] | null }> {
  const problem = urlProblem(value, policy);
  if (problem) return { problem };
  const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 || LOOPBACK_NAMES.has(host.toLowerCase())) return { problem: null, addresses: null };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return { problem: `${host} does not resolve` };
  }
  if (addresses.length === 0) return { problem: `${host} does not resolve` };
  for (const address of addresses) {
    const refused = addressProblem(address, policy);
    if (refused) return { problem: `${host} resolves to ${refused}` };
  }
  return { problem: null, addresses };
}

/** Why a delivery to this URL may not be made now, or null when it may (see {@link checkedAddresses}). */
export async function resolvedProblem(
  value: string,
  policy: EndpointUrlPolicy,
  resolve: HostResolver = dnsResolver,
): Promise<string | null> {
  return (await checkedAddresses(value, policy, resolve)).problem;
}
