/**
 * Association rules between product lines, learned from baskets (the product lines each client
 * holds): a pure engine, no I/O. Everything it counts and stores is an integer; ratios are exact
 * fractions of those counts, compared by cross-multiplication and written as decimal strings only
 * for people.
 */
import Decimal from 'decimal.js';

/** A rule "clients holding `antecedent` also hold `consequent`", as line indexes and counts. */
export interface AssociationRule {
  antecedent: number[];
  consequent: number;
  /** Clients holding the antecedent and the consequent. */
  together: number;
  /** Clients holding the antecedent. */
  antecedentCount: number;
}

/** What a learning run keeps: the lines, how many clients hold each, and the rules. */
export interface LearnedRules {
  /** Product line ids; rules refer to them by index. */
  lines: string[];
  /** Clients holding each line, by index. */
  lineCounts: number[];
  /** Clients with at least one line. */
  clients: number;
  rules: AssociationRule[];
}

export interface LearnOptions {
  /** Fewest clients a rule must rest on (its `together`): below it a rule is noise. */
  minTogether: number;
  /** Most rules kept, the strongest (by lift) first: bounds the stored item. */
  maxRules: number;
}

export const DEFAULT_LEARN_OPTIONS: LearnOptions = { minTogether: 5, maxRules: 4000 };

/**
 * Counts the lines, pairs and triples of every basket and derives the rules with one or two lines
 * as antecedent whose lift is above 1 (the consequent is likelier with the antecedent than without).
 */
export function learnRules(
  baskets: Iterable<Iterable<string>>,
  options = DEFAULT_LEARN_OPTIONS,
): LearnedRules {
  const index = new Map<string, number>();
  const lines: string[] = [];
  const singles: number[] = [];
  const pairs = new Map<number, number>();
  const triples = new Map<number, number>();
  let clients = 0;
  const indexOf = (id: string) => {
    let i = index.get(id);
    if (i === undefined) {
      i = lines.length;
      index.set(id, i);
      lines.push(id);
      singles.push(0);
    }
    return i;
  };
  for (const basket of baskets) {
    const held = [...new Set([...basket].map(indexOf))].sort((a, b) => a - b);
    if (held.length === 0) continue;
    clients++;
    for (let x = 0; x < held.length; x++) {
      const a = held[x] as number;
      singles[a] = (singles[a] ?? 0) + 1;
      for (let y = x + 1; y < held.length; y++) {
        const b = held[y] as number;
        const pk = pairKey(a, b);
        pairs.set(pk, (pairs.get(pk) ?? 0) + 1);
        for (let z = y + 1; z < held.length; z++) {
          const tk = tripleKey(a, b, held[z] as number);
          triples.set(tk, (triples.get(tk) ?? 0) + 1);
        }
      }
    }
  }
  const rules: AssociationRule[] = [];
  const consider = (antecedent: number[], consequent: number, together: number, antecedentCount: number) => {
    if (together < options.minTogether) return;
    // lift > 1 ⇔ together · clients > antecedentCount · count(consequent)
    if (together * clients <= antecedentCount * (singles[consequent] ?? 0)) return;
    rules.push({ antecedent, consequent, together, antecedentCount });
  };
  for (const [pk, together] of pairs) {
    const [a, b] = unpair(pk);
    consider([a], b, together, singles[a] ?? 0);
    consider([b], a, together, singles[b] ?? 0);
  }
  for (const [tk, together] of triples) {
    const [a, b, c] = untriple(tk);
    consider([a, b], c, together, pairs.get(pairKey(a, b)) ?? 0);
    consider([a, c], b, together, pairs.get(pairKey(a, c)) ?? 0);
    consider([b, c], a, together, pairs.get(pairKey(b, c)) ?? 0);
  }
  const lineCounts = singles;
  rules.sort((x, y) => compareLift(y, x, lineCounts) || y.together - x.together);
  return { lines, lineCounts, clients, rules: rules.slice(0, options.maxRules) };
}

// Line indexes stay far below 2^16 (a tenant has tens of product lines), so keys pack into numbers.
const pairKey = (a: number, b: number) => a * 65_536 + b;
const unpair = (k: number): [number, number] => [Math.floor(k / 65_536), k % 65_536];
const tripleKey = (a: number, b: number, c: number) => (a * 65_536 + b) * 65_536 + c;
const untriple = (k: number): [number, number, number] => {
  const c = k % 65_536;
  const ab = (k - c) / 65_536;
  return [Math.floor(ab / 65_536), ab % 65_536, c];
};

/** Orders rules by lift (together / (antecedent · count(consequent))), exactly: cross-multiplied. */
function compareLift(x: AssociationRule, y: AssociationRule, counts: number[]): number {
  const left = BigInt(x.together) * BigInt(y.antecedentCount) * BigInt(counts[y.consequent] ?? 0);
  const right = BigInt(y.together) * BigInt(x.antecedentCount) * BigInt(counts[x.consequent] ?? 0);
  return left === right ? 0 : left > right ? 1 : -1;
}

/** Orders by confidence (together / antecedent), exactly. */
function compareConfidence(x: AssociationRule, y: AssociationRule): number {
  const left = x.together * y.antecedentCount;
  const right = y.together * x.antecedentCount;
  return left === right ? 0 : left > right ? 1 : -1;
}

/** A product line a client does not hold, with the rule that recommends it (null: popularity only). */
export interface RankedLine {
  line: string;
  rule: AssociationRule | null;
  /** Clients holding the line (the popularity fallback's confidence is lineCount / clients). */
  lineCount: number;
}

/**
 * Ranks the lines a client does not hold: each by its most confident rule whose antecedent the
 * client holds (ties: see {@link better}), a line without one by its share of all clients. Deterministic: final ties by line id.
 */
export function rankCandidates(learned: LearnedRules, held: ReadonlySet<string>): RankedLine[] {
  const heldIdx = new Set(learned.lines.flatMap((id, i) => (held.has(id) ? [i] : [])));
  const best = new Map<number, AssociationRule>();
  for (const rule of learned.rules) {
    if (heldIdx.has(rule.consequent) || !rule.antecedent.every((a) => heldIdx.has(a))) continue;
    const current = best.get(rule.consequent);
    if (!current || better(rule, current, learned.lineCounts) > 0) best.set(rule.consequent, rule);
  }
  const ranked: RankedLine[] = learned.lines.flatMap((line, i) =>
    heldIdx.has(i) ? [] : [{ line, rule: best.get(i) ?? null, lineCount: learned.lineCounts[i] ?? 0 }],
  );
  // One scale for all: a rule's confidence, or without one the line's share of all clients (a line
  // everyone holds beats a weak association), exactly by cross-multiplication.
  const share = (r: RankedLine): [number, number] =>
    r.rule ? [r.rule.together, r.rule.antecedentCount] : [r.lineCount, learned.clients];
  return ranked.sort((x, y) => {
    const [xn, xd] = share(x);
    const [yn, yd] = share(y);
    const byShare = yn * xd - xn * yd;
    if (byShare !== 0) return byShare;
    if (x.rule && y.rule) return -better(x.rule, y.rule, learned.lineCounts) || x.line.localeCompare(y.line);
    if (x.rule || y.rule) return x.rule ? -1 : 1;
    return x.line.localeCompare(y.line);
  });
}

function better(x: AssociationRule, y: AssociationRule, counts: number[]): number {
  return (
    compareConfidence(x, y) ||
    compareLift(x, y, counts) ||
    x.antecedent.length - y.antecedent.length ||
    x.together - y.together
  );
}

/** Support, confidence and lift of a ranked line as decimal strings (4 places, half-even). */
export function ratiosOf(
  learned: LearnedRules,
  ranked: RankedLine,
): { support: string; confidence: string; lift: string } {
  const n = new Decimal(learned.clients);
  const round = (d: Decimal) => d.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
  if (!ranked.rule) {
    const popularity = new Decimal(ranked.lineCount).div(n);
    return { support: round(popularity), confidence: round(popularity), lift: round(new Decimal(1)) };
  }
  const r = ranked.rule;
  const confidence = new Decimal(r.together).div(r.antecedentCount);
  return {
    support: round(new Decimal(r.together).div(n)),
    confidence: round(confidence),
    lift: round(confidence.div(new Decimal(ranked.lineCount).div(n))),
  };
}

/** "72 % of clients holding MTPL and PROPERTY also hold CASCO; lift 2.4". */
export function explain(
  learned: LearnedRules,
  ranked: RankedLine,
  codeOf: (lineId: string) => string,
): string {
  const { confidence, lift } = ratiosOf(learned, ranked);
  const percent = new Decimal(confidence).mul(100).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toString();
  if (!ranked.rule) return `${percent} % of clients hold ${codeOf(ranked.line)}`;
  const held = ranked.rule.antecedent
    .map((i) => codeOf(learned.lines[i] as string))
    .sort()
    .join(' and ');
  const liftText = new Decimal(lift).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toFixed(1);
  return `${percent} % of clients holding ${held} also hold ${codeOf(ranked.line)}; lift ${liftText}`;
}
