import { describe, expect, it } from 'vitest';
import {
  explain,
  learnRules,
  rankCandidates,
  ratiosOf,
} from '../../../functions/modules/cross-sell/association-rules.js';

/** 20 clients: MTPL+PROPERTY strongly predicts CASCO; LIFE goes with nothing MTPL holders hold. */
function book(): string[][] {
  return [
    ...Array.from({ length: 8 }, () => ['MTPL', 'PROPERTY', 'CASCO']),
    ...Array.from({ length: 2 }, () => ['MTPL', 'PROPERTY']),
    ...Array.from({ length: 4 }, () => ['MTPL']),
    ...Array.from({ length: 3 }, () => ['LIFE']),
    ...Array.from({ length: 3 }, () => ['PROPERTY', 'LIFE']),
  ];
}
const code = (id: string) => id;

describe('association rules', () => {
  it('counts clients and lines exactly and keeps only rules with lift above 1', () => {
    const learned = learnRules(book(), { minTogether: 2, maxRules: 100 });
    expect(learned.clients).toBe(20);
    const count = (id: string) => learned.lineCounts[learned.lines.indexOf(id)];
    expect([count('MTPL'), count('PROPERTY'), count('CASCO'), count('LIFE')]).toEqual([14, 13, 8, 6]);
    for (const r of learned.rules) {
      expect(r.together * learned.clients).toBeGreaterThan(
        r.antecedentCount * (learned.lineCounts[r.consequent] ?? 0),
      );
    }
    // PROPERTY → LIFE: 3 of 13 against 6 of 20 overall is lift 0.77: not kept.
    const p = learned.lines.indexOf('PROPERTY');
    const l = learned.lines.indexOf('LIFE');
    expect(learned.rules.some((r) => r.consequent === l && r.antecedent.includes(p))).toBe(false);
  });

  it('ranks CASCO by the MTPL+PROPERTY rule, then LIFE by popularity, with exact ratios and explanations', () => {
    const learned = learnRules(book(), { minTogether: 2, maxRules: 100 });
    const ranked = rankCandidates(learned, new Set(['MTPL', 'PROPERTY']));
    expect(ranked.map((r) => r.line)).toEqual(['CASCO', 'LIFE']);
    const [casco, life] = ranked;
    if (!casco || !life) throw new Error('expected two candidates');
    expect(ratiosOf(learned, casco)).toEqual({
      support: '0.4000',
      confidence: '0.8000',
      lift: '2.0000',
    });
    expect(explain(learned, casco, code)).toBe(
      '80 % of clients holding MTPL and PROPERTY also hold CASCO; lift 2.0',
    );
    expect(ratiosOf(learned, life)).toEqual({
      support: '0.3000',
      confidence: '0.3000',
      lift: '1.0000',
    });
    expect(explain(learned, life, code)).toBe('30 % of clients hold LIFE');
  });

  it('drops rules resting on fewer clients than minTogether, and then ranks by popularity', () => {
    const learned = learnRules(book(), { minTogether: 11, maxRules: 100 });
    expect(learned.rules).toEqual([]);
    expect(rankCandidates(learned, new Set(['MTPL'])).map((r) => r.line)).toEqual([
      'PROPERTY',
      'CASCO',
      'LIFE',
    ]);
  });

  it('keeps the strongest rules by lift when capped', () => {
    const all = learnRules(book(), { minTogether: 2, maxRules: 100 });
    const capped = learnRules(book(), { minTogether: 2, maxRules: 2 });
    expect(capped.rules).toEqual(all.rules.slice(0, 2));
    expect(all.rules.length).toBeGreaterThan(2);
  });
});
