import { describe, expect, it } from 'vitest';
import { clientLoader, lazy } from '../../../functions/shared/lazy.js';

describe('lazy', () => {
  it('loads on first use only, once, and shares the value', async () => {
    let loads = 0;
    const get = lazy(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });

  it('forgets a failed load so the next call tries again', async () => {
    let loads = 0;
    const get = lazy(async () => {
      loads += 1;
      if (loads === 1) throw new Error('network');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('network');
    await expect(get()).resolves.toBe('ok');
  });

  it('clientLoader returns a given client as is', async () => {
    const client = { send: () => 1 };
    expect(await clientLoader(client)()).toBe(client);
  });
});
