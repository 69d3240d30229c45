import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH } from '../../infra/docs/readme-tables.js';
import { firstUnmatched, readmeBlocks } from '../support/readme-blocks.js';

const blocks = readmeBlocks(readFileSync(README_PATH, 'utf8'));

describe("the README's bash blocks", () => {
  it('each promise an output or say why the test cannot run them', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const unmarked = blocks.filter((b) => !b.skip && !b.expect?.length).map((b) => `line ${b.line}`);
    expect(unmarked).toEqual([]);
  });

  it('link to nothing outside the repository, and neither does the rest of the README', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => /^[a-z]+:|^\/\/|^\.\.\//i.test(l))).toEqual([]);
  });
});

describe('expected-output patterns', () => {
  it('match lines in order, with … for anything', () => {
    const output = 'noise\n{"id":"01ABC","ok":true}\n%PDF-1.3\n';
    expect(firstUnmatched(output, ['{"id":"…","ok":true}', '%PDF-1.3'])).toBeNull();
    expect(firstUnmatched(output, ['%PDF-1.3', '{"id":"…","ok":true}'])).toBe('{"id":"…","ok":true}');
    expect(firstUnmatched(output, ['{"id":"…","ok":false}'])).toBe('{"id":"…","ok":false}');
    expect(firstUnmatched(output, ['%PDF'])).toBe('%PDF');
  });
});
