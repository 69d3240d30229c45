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
/** Base probability of each line, before planted associations and noise. */
const BASE: Record<string, number> = {
  MTPL: 0.55,
  PROPERTY: 0.4,
  LIFE: 0.25,
  TRAVEL: 0.2,
  LIABILITY: 0.1,
  PENSION: 0.1,
};
const NOISE = 0.04;

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

/** One client's lines in the order bought: base lines, then planted follow-ups, noise anywhere. */
export function generateBook(clients: number, seed = 15): string[][] {
  const random = rng(seed);
  const book: string[][] = [];
  for (let c = 0; c < clients; c++) {
    // Base lines in the order the client bought them (random), planted follow-ups after them.
    const held = LINES.filter((l) => random() < (BASE[l] ?? 0)).sort(() => random() - 0.5);
    const has = (l: string) => held.includes(l);
    // Planted: MTPL and PROPERTY → CASCO (70 %); LIFE → HEALTH (60 %); TRAVEL and MTPL → PET (40 %).
    if (has('MTPL') && has('PROPERTY') && random() < 0.7) held.push('CASCO');
    if (has('LIFE') && !has('HEALTH') && random() < 0.6) held.push('HEALTH');
    if (has('TRAVEL') && has('MTPL') && random() < 0.4) held.push('PET');
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
  /** Test clients whose held-out line is CASCO, HEALTH or PET (lines with planted antecedents: what a model can learn). */
  heldOutPlanted: number;
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

const PLANTED = new Set(['CASCO', 'HEALTH', 'PET']);

/** Precision@3 of a ranking over test clients: one relevant line each, so hits / (3 · clients). */
function precisionAt3(test: string[][], top3: (held: Set<string>) => string[]): number {
  let hits = 0;
  for (const basket of test) {
    const held = new Set(basket.slice(0, -1));
    if (top3(held).includes(basket[basket.length - 1] as string)) hits++;
  }
  return hits / (3 * test.length);
}

/** Precision@3 of the rules, of popularity and of the ceiling on held-out last lines; learning over 100,000 clients. */
export function benchCrossSell(log: (line: string) => void): CrossSellFigures {
  const book = generateBook(50_000);
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
  const heldOutPlanted = test.filter((b) => PLANTED.has(b[b.length - 1] as string)).length;
  log(
    `cross-sell: precision@3 ${precision.toFixed(4)} vs popularity ${baseline.toFixed(4)} (×${(precision / baseline).toFixed(2)}); ceiling ${ceiling.toFixed(4)} (×${(ceiling / baseline).toFixed(2)})`,
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
  const ratio = precision / baseline;
  return {
    bookClients: book.length,
    trainClients: train.length,
    testClients: test.length,
    precisionAt3: precision.toFixed(4),
    baselinePrecisionAt3: baseline.toFixed(4),
    ratio: ratio.toFixed(2),
    ceilingPrecisionAt3: ceiling.toFixed(4),
    ceilingRatio: (ceiling / baseline).toFixed(2),
    heldOutPlanted,
    target: `precision@3 ≥ ${CROSS_SELL_TARGET_RATIO}× popularity`,
    met: ratio >= CROSS_SELL_TARGET_RATIO,
    learn100k: {
      ...learn,
      limitSeconds,
      limitMb,
      met: learn.seconds <= limitSeconds && learn.peakRssMb <= limitMb,
    },
  };
}
