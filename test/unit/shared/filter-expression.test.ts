import { describe, expect, it } from 'vitest';
import { queryFilter } from '../../../functions/shared/filter-expression.js';

describe('queryFilter', () => {
  it('adds nothing to a Query without conditions', () => {
    expect(queryFilter({})).toEqual({});
    expect(queryFilter({ equals: {}, anyOf: [], atLeast: null })).toEqual({});
  });

  it('joins equalities, scope alternatives and a minimum with AND, alternatives with OR', () => {
    expect(
      queryFilter({
        equals: { insurerId: 'I1', active: true },
        anyOf: [
          ['servicingAdvisorId', 'U1'],
          ['branchId', 'B1'],
        ],
        atLeast: ['daysOverdue', 30],
      }),
    ).toEqual({
      filter: {
        expression: '#f0 = :f0 AND #f1 = :f1 AND (#o0 = :o0 OR #o1 = :o1) AND #min >= :min',
        names: {
          '#f0': 'insurerId',
          '#f1': 'active',
          '#o0': 'servicingAdvisorId',
          '#o1': 'branchId',
          '#min': 'daysOverdue',
        },
        values: { ':f0': 'I1', ':f1': true, ':o0': 'U1', ':o1': 'B1', ':min': 30 },
      },
    });
  });
});
