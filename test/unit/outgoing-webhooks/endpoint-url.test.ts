import { describe, expect, it } from 'vitest';
import {
  LOOPBACK_ALLOWED,
  PUBLIC_ONLY,
  resolvedProblem,
  urlPolicyForStage,
  urlProblem,
} from '../../../functions/modules/outgoing-webhooks/endpoint-url.js';

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
