import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A place in the candidate's source. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The innermost stack frame inside the candidate's own files (not the suite's kernel or its NetDMA client): where the
 * violating call was made. File paths come back relative to `cwd`.
 */
export function candidateLocation(stack: string, candidateRoot: string, suiteRoot: string, cwd = process.cwd()): SourceLocation | undefined {
  const root = path.resolve(candidateRoot);
  const kernel = path.join(path.resolve(suiteRoot), 'src', 'kernel');
  const client = path.join(path.resolve(suiteRoot), 'src', 'client');
  for (const line of stack.split('\n')) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (!file.startsWith(root + path.sep) || file.startsWith(kernel + path.sep) || file.startsWith(client + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return { file: path.relative(cwd, file) || file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
