import { describe, expect, it } from 'vitest';
import { problemResponse } from '../../../functions/shared/problem.js';

describe('problemResponse', () => {
  it('answers with the problem status and an application/problem+json RFC 9457 body', () => {
    const response = problemResponse({
      type: 'https://broker-crm.example/problems/unauthenticated',
      title: 'Unauthenticated',
      status: 401,
      detail: 'The webhook signature does not verify',
      code: 'UNAUTHENTICATED',
      insurerId: 'ins-1',
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(response.body ?? '')).toEqual({
      type: 'https://broker-crm.example/problems/unauthenticated',
      title: 'Unauthenticated',
      status: 401,
      detail: 'The webhook signature does not verify',
      code: 'UNAUTHENTICATED',
      insurerId: 'ins-1',
    });
  });

  it('omits detail when none is given', () => {
    const body = JSON.parse(
      problemResponse({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND' }).body ?? '',
    );
    expect(body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND' });
    expect('detail' in body).toBe(false);
  });
});
