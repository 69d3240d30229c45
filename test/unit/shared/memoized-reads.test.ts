import { describe, expect, it } from 'vitest';
import { memoizedReads } from '../../../functions/shared/memoized-reads.js';

class Repo {
  calls: string[] = [];
  fail = true;
  async getThing(tenant: string, id: string) {
    this.calls.push(`get ${tenant} ${id}`);
    return { tenant, id };
  }
  async listThings(tenant: string) {
    this.calls.push(`list ${tenant}`);
    if (this.fail) {
      this.fail = false;
      throw new Error('throttled');
    }
    return [tenant];
  }
  async putThing(id: string) {
    this.calls.push(`put ${id}`);
  }
}

describe('memoizedReads', () => {
  it('reads each key once, keeps arguments apart and lets writes through every time', async () => {
    const repo = new Repo();
    const view = memoizedReads(repo);
    const [a, b] = await Promise.all([view.getThing('t1', 'x'), view.getThing('t1', 'x')]);
    expect(a).toBe(b);
    await view.getThing('t2', 'x');
    await view.putThing('x');
    await view.putThing('x');
    expect(repo.calls).toEqual(['get t1 x', 'get t2 x', 'put x', 'put x']);
  });

  it('does not remember a failed read', async () => {
    const repo = new Repo();
    const view = memoizedReads(repo);
    await expect(view.listThings('t1')).rejects.toThrow('throttled');
    await expect(view.listThings('t1')).resolves.toEqual(['t1']);
    await expect(view.listThings('t1')).resolves.toEqual(['t1']);
    expect(repo.calls).toEqual(['list t1', 'list t1']);
  });
});
