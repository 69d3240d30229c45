import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  checkedAddresses,
  LOOPBACK_ALLOWED,
  PUBLIC_ONLY,
  resolvedProblem,
  urlPolicyForStage,
  urlProblem,
} from '../../../functions/modules/outgoing-webhooks/endpoint-url.js';
import { pinnedLookup, pinnedSender } from '../../../functions/modules/outgoing-webhooks/pinned-sender.js';

/** A receiver on loopback that records what reached it (connections and requests' Host headers). */
async function loopbackReceiver() {
  const seen = { connections: 0, requests: [] as IncomingHttpHeaders[] };
  const server = createServer((req, res) => {
    seen.requests.push(req.headers);
    req.resume();
    res.writeHead(204).end();
  });
  server.on('connection', () => {
    seen.connections += 1;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { seen, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('outgoing webhook endpoint URLs (SSRF guard)', () => {
  it('accepts https to a public host in the cloud and refuses http there', () => {
    expect(urlProblem('https://hooks.partner.example.com/crm', PUBLIC_ONLY)).toBeNull();
    expect(urlProblem('http://hooks.partner.example.com/crm', PUBLIC_ONLY)).toBe('must be an https URL');
    expect(urlProblem('https://user:pw@hooks.partner.example.com/', PUBLIC_ONLY)).toBe(
      'must not carry credentials',
    );
  });

  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.5/hook',
    'https://172.20.1.1/hook',
    'https://192.168.1.10/hook',
    'https://100.64.0.1/hook',
    'https://[fd00:ec2::254]/hook',
    'https://[fe80::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://0.0.0.0/hook',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://intranet/hook',
    'https://127.0.0.1/hook',
    'https://localhost/hook',
  ])('refuses %s in the cloud', (url) => {
    expect(urlProblem(url, PUBLIC_ONLY)).toMatch(/address|public host|this machine/);
  });

  it('allows http to loopback only on the local stack and in tests, never to a private address', () => {
    expect(urlProblem('http://127.0.0.1:4000/hooks', LOOPBACK_ALLOWED)).toBeNull();
    expect(urlProblem('http://localhost:4000/hooks', LOOPBACK_ALLOWED)).toBeNull();
    expect(urlProblem('http://[::1]:4000/hooks', LOOPBACK_ALLOWED)).toBeNull();
    expect(urlProblem('http://10.0.0.5/hooks', LOOPBACK_ALLOWED)).toMatch(/https/);
    expect(urlProblem('https://10.0.0.5/hooks', LOOPBACK_ALLOWED)).toMatch(/private/);
    expect(urlPolicyForStage('local')).toBe(LOOPBACK_ALLOWED);
    expect(urlPolicyForStage('prod')).toBe(PUBLIC_ONLY);
  });

  it('resolves the host at delivery time and refuses a name that points at a private or metadata address', async () => {
    const dns = (addresses: string[]) => async () => addresses;
    const url = 'https://hooks.partner.example.com/crm';
    expect(await resolvedProblem(url, PUBLIC_ONLY, dns(['93.184.216.34']))).toBeNull();
    expect(await resolvedProblem(url, PUBLIC_ONLY, dns(['93.184.216.34', '169.254.169.254']))).toMatch(
      /resolves to 169\.254\.169\.254/,
    );
    expect(await resolvedProblem(url, PUBLIC_ONLY, dns(['::1']))).toMatch(/loopback/);
    const failing = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await resolvedProblem(url, PUBLIC_ONLY, failing)).toMatch(/does not resolve/);
  });
});

describe('outgoing webhook delivery to the checked addresses (DNS rebinding)', () => {
  it('connects to the address checked, not to a second resolution, keeping the host name in the Host header', async () => {
    const receiver = await loopbackReceiver();
    try {
      // `rebind.invalid` resolves nowhere: the request can only reach the receiver through the pin.
      const status = await pinnedSender({
        url: `http://rebind.invalid:${receiver.port}/hook`,
        headers: { 'content-type': 'application/json' },
        body: '{"type":"PING"}',
        timeoutMs: 2000,
        addresses: ['127.0.0.1'],
      });
      expect(status).toBe(204);
      expect(receiver.seen.requests.map((h) => h.host)).toEqual([`rebind.invalid:${receiver.port}`]);
    } finally {
      await receiver.close();
    }
  });

  it('a host answering a public address to the check and 127.0.0.1 afterwards is never reached on loopback', async () => {
    const receiver = await loopbackReceiver();
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let lookups = 0;
    const rebinding = async () => answers[Math.min(lookups++, 1)] as string[];
    const url = `https://hooks.rebind.example.com:${receiver.port}/hook`;
    try {
      const checked = await checkedAddresses(url, PUBLIC_ONLY, rebinding);
      expect(checked).toEqual({ problem: null, addresses: ['93.184.216.34'] });
      if (checked.problem !== null) throw new Error(checked.problem);
      // The socket asks the pinned lookup, which answers only the checked address, whatever DNS says now.
      const asked = await new Promise<unknown>((resolve, reject) =>
        pinnedLookup(checked.addresses ?? [])('hooks.rebind.example.com', { all: true }, (error, address) =>
          error ? reject(error) : resolve(address),
        ),
      );
      expect(asked).toEqual([{ address: '93.184.216.34', family: 4 }]);
      // The delivery goes to the public address (unreachable here, so it fails), never to 127.0.0.1.
      await expect(
        pinnedSender({
          url,
          headers: {},
          body: '{}',
          timeoutMs: 300,
          addresses: checked.addresses ?? [],
        }),
      ).rejects.toThrow();
      expect(lookups).toBe(1);
      expect(receiver.seen.connections).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('refuses to connect when no checked address has the family the socket asks for', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      pinnedLookup(['93.184.216.34'])('hooks.example.com', { family: 6 }, (e) => resolve(e)),
    );
    expect(error?.code).toBe('ENOTFOUND');
  });
});
