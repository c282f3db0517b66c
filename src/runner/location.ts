import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A place in the candidate's source. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Folders of the suite that hold the checker itself (never a candidate's code). */
const CHECKER_DIRS = ['src/kernel', 'src/client', 'src/hardware', 'src/model', 'src/util', 'src/runner', 'src/report', 'src/cli', 'src/trace', 'properties', 'spec', 'dist', 'node_modules'];

/**
 * The innermost stack frame inside the candidate's own files (not the suite's kernel): where the
 * violating call was made (not in the suite's kernel or its NetDMA client). A frame counts when it is under the candidate's root, or in driver code
 * the suite bundles and a candidate imports (the reference provider under `src/reference`, which
 * the faulty providers switch bugs on in) — never in the checker's own folders. File paths come
 * back relative to `cwd`.
 */
export function candidateLocation(stack: string, candidateRoot: string, suiteRoot: string, cwd = process.cwd()): SourceLocation | undefined {
  const root = path.resolve(candidateRoot);
  const suite = path.resolve(suiteRoot);
  const checker = CHECKER_DIRS.map((d) => path.join(suite, ...d.split('/')) + path.sep);
  for (const line of stack.split('\n')) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (!file.startsWith(root + path.sep) && !file.startsWith(suite + path.sep)) continue;
    if (checker.some((d) => file.startsWith(d)) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return { file: path.relative(cwd, file) || file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
