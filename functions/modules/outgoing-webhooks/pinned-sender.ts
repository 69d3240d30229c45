import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

/**
 * Delivery to the addresses the SSRF guard checked, closing the DNS-rebinding window: `fetch` would
 * resolve the host again when it connects, and a name that answered a public address to the check
 * could answer 127.0.0.1 or the metadata address to the connection. Here the socket's lookup
 * answers only the checked addresses, while the URL's host name stays what TLS verifies (SNI and
 * certificate) and what the Host header says.
 */

/** One signed POST, as the outgoing webhooks service hands it to a sender. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /**
   * The addresses of the URL's host checked just before: the connection goes to one of these and
   * nowhere else. Absent when the host is an address literal or the local machine (nothing to resolve).
   */
  addresses?: readonly string[];
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A socket lookup that answers only these addresses, whatever DNS says now. */
export function pinnedLookup(addresses: readonly string[]) {
  const entries: LookupAddress[] = addresses.map((address) => ({
    address,
    family: isIP(address) === 6 ? 6 : 4,
  }));
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const wanted = family === 0 ? entries : entries.filter((e) => e.family === family);
    const first = wanted[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error(`No checked address of ${hostname} to connect to`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
      return;
    }
    if (options.all) callback(null, wanted);
    else callback(null, first.address, first.family);
  };
}

/**
 * The default sender: a POST over node:http(s) to the checked addresses (a fresh connection each
 * time, so no pooled socket from another resolution is reused), no redirects followed, with a
 * timeout. Answers the HTTP status; throws on a network failure or timeout.
 */
export function pinnedSender({ url, headers, body, timeoutMs, addresses }: WebhookRequest): Promise<number> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
        ...(addresses ? { lookup: pinnedLookup(addresses) } : {}),
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
