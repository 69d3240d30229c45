/**
 * The cross-sell bench's learning run, in a process of its own (as a Lambda invocation has): generates
 * a book of N clients, learns its rules and prints the time, the rule count and the process's peak
 * RSS as JSON.
 */
import { learnRules } from '../../../functions/modules/cross-sell/index.js';
import { generateBook } from './cross-sell.js';

const book = generateBook(Number(process.argv[2] ?? 100_000), 99);
const started = performance.now();
const learned = learnRules(book);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    clients: book.length,
    seconds: Number(seconds.toFixed(3)),
    rules: learned.rules.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
