import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../infra/catalog.js';

/**
 * Lead intake and cross-sell in the catalog both hosts build from: the public lead route (with its
 * own CORS preflight) on a function that needs only the table, and the daily `cross-sell` schedule.
 */
describe('catalog: leads and cross-sell', () => {
  it('routes POST and OPTIONS /leads/{formId} to the leads function, which needs only the table', () => {
    const leads = CATALOG.find((f) => f.name === 'leads');
    expect(leads?.entry).toBe('functions/leads/handler.ts');
    expect(leads?.trigger).toEqual({
      kind: 'http',
      routes: [
        { method: 'POST', path: '/leads/{formId}' },
        { method: 'OPTIONS', path: '/leads/{formId}' },
      ],
    });
    expect(leads?.needs).toEqual(['table']);
  });

  it('schedules cross-sell learning daily, with the table only and room for a large book', () => {
    const crossSell = CATALOG.find((f) => f.name === 'cross-sell');
    expect(crossSell?.trigger).toEqual({ kind: 'schedule', expression: 'cron(0 2 * * ? *)' });
    expect(crossSell?.needs).toEqual(['table']);
    expect(crossSell?.memoryMb).toBe(512);
    expect(crossSell?.timeoutSeconds).toBe(900);
  });
});
