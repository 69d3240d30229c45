import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const ROLES = ['admin', 'manager', 'backoffice', 'advisor', 'partner'];

/** Every hand-written source file under functions/, except the access-rules module itself. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__generated__' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `x.role === 'manager'`, `role !== "partner"`, `['advisor', 'manager'].includes(user.role)`. */
const ROLE_COMPARISON = new RegExp(
  [
    String.raw`\brole\s*[!=]==?\s*['"](${ROLES.join('|')})['"]`,
    String.raw`['"](${ROLES.join('|')})['"]\s*[!=]==?\s*\w*\.?role\b`,
    String.raw`\[\s*['"](${ROLES.join('|')})['"][^\]]*\]\.includes\(\s*[\w.?]*role\s*\)`,
  ].join('|'),
);

describe('access rules in one place', () => {
  it('compares no role outside functions/shared/auth/ (services and resolvers ask the rules there)', () => {
    const offenders = sources(join(root, 'functions'))
      .filter((file) => !relative(root, file).startsWith(join('functions', 'shared', 'auth')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(root, file)}:${i + 1}` }))
          .filter(({ line }) => ROLE_COMPARISON.test(line))
          .map(({ line, at }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  it('recognises the comparisons it forbids', () => {
    expect(ROLE_COMPARISON.test("if (viewer.role === 'partner') return null;")).toBe(true);
    expect(ROLE_COMPARISON.test("!['advisor', 'manager'].includes(user.role)")).toBe(true);
    expect(ROLE_COMPARISON.test("line.explanation.role === 'PRIMARY'")).toBe(false);
  });
});
