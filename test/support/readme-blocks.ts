import { spawn } from 'node:child_process';

/**
 * A fenced bash block of README.md and what it promises. Right before the fence,
 * `<!-- readme-test: skip, <reason> -->` marks a block the test cannot run (it deploys, or starts the
 * stack the test already runs). Right after it, `<!-- expect:` … `-->` lists output lines in order
 * (other lines may come between); `…` in a line matches anything. `<!-- expect again:` … `-->`, when
 * present, replaces `expect` for a second run (a re-run that answers differently on purpose).
 */
export interface ReadmeBlock {
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
  code: string;
  skip: string | null;
  expect: string[] | null;
  expectAgain: string[] | null;
}

const FENCE = /^```bash\s*$/;
const SKIP = /^<!-- readme-test: skip, (.+) -->$/;

/** The README's bash blocks in order, with their markers. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i] ?? '')) continue;
    const start = i;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README line ${start + 1}: unclosed bash block`);
    const skip = SKIP.exec(lines[start - 1] ?? '')?.[1] ?? null;
    let next = end + 1;
    const comment = (opening: string): string[] | null => {
      if (lines[next] !== opening) return null;
      const close = lines.indexOf('-->', next + 1);
      if (close < 0) throw new Error(`README line ${next + 1}: unclosed ${opening}`);
      const body = lines.slice(next + 1, close);
      next = close + 1;
      return body;
    };
    const expect = comment('<!-- expect:');
    const expectAgain = comment('<!-- expect again:');
    blocks.push({ line: start + 1, code: lines.slice(start + 1, end).join('\n'), skip, expect, expectAgain });
    i = next - 1;
  }
  return blocks;
}

function toRegExp(pattern: string): RegExp {
  const parts = pattern.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 'u');
}

/**
 * Checks that the output holds a line matching each pattern, in the patterns' order. Answers the
 * first pattern that has no matching line after the previous match, or null when all match.
 */
export function firstUnmatched(output: string, patterns: readonly string[]): string | null {
  const lines = output.split('\n');
  let from = 0;
  for (const pattern of patterns) {
    const re = toRegExp(pattern);
    const at = lines.findIndex((line, i) => i >= from && re.test(line));
    if (at < 0) return pattern;
    from = at + 1;
  }
  return null;
}

const END_MARKER = "printf '\\n@@end@@\\n'\n";

/**
 * Runs the blocks in one bash process, in order (later blocks use the variables and helpers earlier
 * ones define), in `cwd`, and answers each block's stdout and the whole run's stderr.
 */
export async function runBlocks(
  blocks: readonly ReadmeBlock[],
  cwd: string,
): Promise<{ outputs: string[]; stderr: string; code: number | null }> {
  const script = blocks.map((b, i) => `printf '\\n@@block ${i}@@\\n'\n${b.code}\n`).join('') + END_MARKER;
  const child = spawn('bash', ['--noprofile', '--norc', '-c', script], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const outputs = blocks.map((_, i) => {
    const start = stdout.indexOf(`@@block ${i}@@\n`);
    if (start < 0) return '';
    const rest = stdout.slice(start + `@@block ${i}@@\n`.length);
    const end = rest.search(/\n@@(block \d+|end)@@\n/);
    return end < 0 ? rest : rest.slice(0, end);
  });
  return { outputs, stderr, code };
}
