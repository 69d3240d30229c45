/**
 * Cross-sell, measured honestly: a generated book with planted associations and noise; each test
 * client's last product line is held out and predicted from rules learned on the other clients,
 * precision@3 against a popularity baseline and against a ceiling no recommender can pass on this
 * book; then learning over 100,000 clients in a fresh process (time, peak RSS) against the
 * `cross-sell` function's time limit and memory.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { learnRules, rankCandidates } from '../../../functions/modules/cross-sell/index.js';
import { CATALOG } from '../../../infra/catalog.js';

const LINES = [
  'MTPL',
  'CASCO',
  'PROPERTY',
  'LIFE',
  'HEALTH',
  'TRAVEL',
  'LIABILITY',
  'PENSION',
  'PET',
  'CYBER',
];
/**
 * The book an independent draw makes: each line held with its base probability, in random order,
 * three planted follow-ups, noise. Kept as the hard case: half its held-out last lines are
 * independent base draws no model can predict (its ceiling is about ×1.33 of popularity).
 */
const BASE: Record<string, number> = {
  MTPL: 0.55,
  PROPERTY: 0.4,
  LIFE: 0.25,
  TRAVEL: 0.2,
  LIABILITY: 0.1,
  PENSION: 0.1,
};
const NOISE = 0.04;

/** How clients first come to the brokerage: the line of their first policy. */
const ENTRY: readonly [string, number][] = [
  ['MTPL', 0.45],
  ['PROPERTY', 0.25],
  ['LIFE', 0.15],
  ['TRAVEL', 0.15],
];
/** A second, unrelated line bought early (before any follow-up), with this probability. */
const SECOND_ENTRY = 0.25;

/**
 * Planted associations of the purchase-history book: once a client holds every line of `when`, they
 * buy `buys` with probability `p` (each rule is tried once, in this order, after the entry lines).
 */
const FOLLOW_UPS: readonly { when: string[]; buys: string; p: number }[] = [
  { when: ['MTPL', 'PROPERTY'], buys: 'CASCO', p: 0.7 },
  { when: ['MTPL'], buys: 'CASCO', p: 0.35 },
  { when: ['PROPERTY'], buys: 'LIABILITY', p: 0.45 },
  { when: ['LIFE'], buys: 'HEALTH', p: 0.6 },
  { when: ['LIFE'], buys: 'PENSION', p: 0.3 },
  { when: ['TRAVEL', 'MTPL'], buys: 'PET', p: 0.4 },
  { when: ['TRAVEL'], buys: 'HEALTH', p: 0.25 },
  { when: ['PROPERTY', 'LIABILITY'], buys: 'CYBER', p: 0.3 },
];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The books the bench generates, as purchase histories (each client's lines in the order bought):
 * - `history`: a client comes in with one line (sometimes two unrelated ones), then buys follow-ups
 *   as the planted associations say, with noise lines bought at any point — how a broker's book
 *   grows, and what cross-sell exists to predict;
 * - `independent`: lines drawn independently in random order, three planted follow-ups, noise.
 */
export type BookKind = 'history' | 'independent';

/** One client's lines in the order bought (see {@link BookKind}). */
export function generateBook(clients: number, seed = 15, kind: BookKind = 'history'): string[][] {
  const random = rng(seed);
  const pick = (weights: readonly [string, number][]): string => {
    let r = random();
    for (const [line, w] of weights) {
      if (r < w) return line;
      r -= w;
    }
    return weights[weights.length - 1]?.[0] as string;
  };
  const book: string[][] = [];
  for (let c = 0; c < clients; c++) {
    let held: string[];
    const has = (l: string) => held.includes(l);
    if (kind === 'history') {
      held = [pick(ENTRY)];
      if (random() < SECOND_ENTRY) {
        const second = pick(ENTRY);
        if (!has(second)) held.push(second);
      }
      for (const rule of FOLLOW_UPS)
        if (!has(rule.buys) && rule.when.every(has) && random() < rule.p) held.push(rule.buys);
    } else {
      // Base lines in the order the client bought them (random), planted follow-ups after them.
      held = LINES.filter((l) => random() < (BASE[l] ?? 0)).sort(() => random() - 0.5);
      // Planted: MTPL and PROPERTY → CASCO (70 %); LIFE → HEALTH (60 %); TRAVEL and MTPL → PET (40 %).
      if (has('MTPL') && has('PROPERTY') && random() < 0.7) held.push('CASCO');
      if (has('LIFE') && !has('HEALTH') && random() < 0.6) held.push('HEALTH');
      if (has('TRAVEL') && has('MTPL') && random() < 0.4) held.push('PET');
    }
    for (const l of LINES) {
      if (!held.includes(l) && random() < NOISE) held.splice(Math.floor(random() * (held.length + 1)), 0, l);
    }
    if (held.length > 0) book.push(held);
  }
  return book;
}

/** The target: precision@3 at least 1.5× the popularity baseline's. */
export const CROSS_SELL_TARGET_RATIO = 1.5;

export interface CrossSellFigures {
  bookClients: number;
  trainClients: number;
  testClients: number;
  precisionAt3: string;
  baselinePrecisionAt3: string;
  ratio: string;
  /**
   * The best precision@3 any recommender reaches on this book: for each test client the three lines
   * most often bought last by training clients holding exactly the same other lines (popularity
   * breaks ties). Base lines are drawn independently and noise is random, so a held-out line of
   * those kinds cannot be predicted from the rest, whatever the model.
   */
  ceilingPrecisionAt3: string;
  ceilingRatio: string;
  /** Test clients whose held-out line has planted antecedents (what a model can learn). */
  heldOutPlanted: number;
  /** The same measures on the `independent` book, the hard case (reported, not the target's book). */
  independent?: BookFigures;
  target: string;
  met: boolean;
  learn100k: {
    clients: number;
    seconds: number;
    rules: number;
    peakRssMb: number;
    limitSeconds: number;
    limitMb: number;
    met: boolean;
  };
}

/** Lines with planted antecedents in either book: what a model can learn to predict. */
const PLANTED = new Set(FOLLOW_UPS.map((r) => r.buys));

/** Precision@3 of a ranking over test clients: one relevant line each, so hits / (3 · clients). */
function precisionAt3(test: string[][], top3: (held: Set<string>) => string[]): number {
  let hits = 0;
  for (const basket of test) {
    const held = new Set(basket.slice(0, -1));
    if (top3(held).includes(basket[basket.length - 1] as string)) hits++;
  }
  return hits / (3 * test.length);
}

/** Precision@3 of the rules, of popularity and of the ceiling on one book's held-out last lines. */
interface BookFigures {
  bookClients: number;
  trainClients: number;
  testClients: number;
  precisionAt3: string;
  baselinePrecisionAt3: string;
  ratio: string;
  ceilingPrecisionAt3: string;
  ceilingRatio: string;
  heldOutPlanted: number;
}

function measureBook(book: string[][]): BookFigures {
  const train = book.filter((_, i) => i % 5 !== 0);
  const test = book.filter((b, i) => i % 5 === 0 && b.length >= 2);
  const learned = learnRules(train, { minTogether: 5, maxRules: 4000 });
  const popular = learned.lines
    .map((line, i) => ({ line, count: learned.lineCounts[i] ?? 0 }))
    .sort((a, b) => b.count - a.count || a.line.localeCompare(b.line))
    .map((p) => p.line);
  const precision = precisionAt3(test, (held) =>
    rankCandidates(learned, held)
      .slice(0, 3)
      .map((r) => r.line),
  );
  const baseline = precisionAt3(test, (held) => popular.filter((l) => !held.has(l)).slice(0, 3));
  // The ceiling: what training clients holding exactly these lines bought last.
  const lastBought = new Map<string, Map<string, number>>();
  for (const basket of train) {
    if (basket.length < 2) continue;
    const key = basket.slice(0, -1).sort().join(',');
    const counts = lastBought.get(key) ?? new Map<string, number>();
    const last = basket[basket.length - 1] as string;
    counts.set(last, (counts.get(last) ?? 0) + 1);
    lastBought.set(key, counts);
  }
  const ceiling = precisionAt3(test, (held) => {
    const counts = lastBought.get([...held].sort().join(',')) ?? new Map<string, number>();
    return popular
      .filter((l) => !held.has(l))
      .map((line, rank) => ({ line, rank, count: counts.get(line) ?? 0 }))
      .sort((a, b) => b.count - a.count || a.rank - b.rank)
      .slice(0, 3)
      .map((c) => c.line);
  });
  return {
    bookClients: book.length,
    trainClients: train.length,
    testClients: test.length,
    precisionAt3: precision.toFixed(4),
    baselinePrecisionAt3: baseline.toFixed(4),
    ratio: (precision / baseline).toFixed(2),
    ceilingPrecisionAt3: ceiling.toFixed(4),
    ceilingRatio: (ceiling / baseline).toFixed(2),
    heldOutPlanted: test.filter((b) => PLANTED.has(b[b.length - 1] as string)).length,
  };
}

/**
 * Precision@3 on the purchase-history book (the target's) and on the independent one (reported);
 * learning over 100,000 clients.
 */
export function benchCrossSell(log: (line: string) => void): CrossSellFigures {
  const history = measureBook(generateBook(50_000));
  const independent = measureBook(generateBook(50_000, 15, 'independent'));
  for (const [name, f] of [
    ['purchase-history book', history],
    ['independent book', independent],
  ] as const)
    log(
      `cross-sell (${name}): precision@3 ${f.precisionAt3} vs popularity ${f.baselinePrecisionAt3} (×${f.ratio}); ceiling ${f.ceilingPrecisionAt3} (×${f.ceilingRatio})`,
    );

  const spec = CATALOG.find((f) => f.name === 'cross-sell');
  const limitSeconds = spec?.timeoutSeconds ?? 0;
  const limitMb = spec?.memoryMb ?? 0;
  // A fresh process, as a Lambda invocation gets: its peak RSS is the learning's, not the bench's.
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'cross-sell-learn.ts'), '100000'],
    { encoding: 'utf8' },
  );
  const learn = JSON.parse(out) as { clients: number; seconds: number; rules: number; peakRssMb: number };
  log(
    `cross-sell: learned ${learn.rules} rules over ${learn.clients} clients in ${learn.seconds} s, peak RSS ${learn.peakRssMb} MB`,
  );
  return {
    ...history,
    independent,
    target: `precision@3 ≥ ${CROSS_SELL_TARGET_RATIO}× popularity`,
    met: Number(history.ratio) >= CROSS_SELL_TARGET_RATIO,
    learn100k: {
      ...learn,
      limitSeconds,
      limitMb,
      met: learn.seconds <= limitSeconds && learn.peakRssMb <= limitMb,
    },
  };
}
