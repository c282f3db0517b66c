/**
 * Finding and reading the team's waiver file for a check: `--waivers FILE`, else the nearest
 * `netdma-conformance.json` from the candidate's folder upwards (to the filesystem root), else none;
 * `--no-waivers` (false) ignores any. A replay finds the file the same way, so a replayed waived
 * failure shows as waived.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { WAIVER_FILE_NAME, WaiverFileError, parseWaiverFile, type WaiverSet } from '../report/waivers';

/** Which waiver file a check uses: a file path, `false` for none, `undefined` to search for one. */
export type WaiverChoice = string | false | undefined;

/** The nearest `netdma-conformance.json` from `start` (a folder) upwards, or undefined. */
export function findWaiverFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, WAIVER_FILE_NAME);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The path as reports show it: relative to the working directory when inside it, else absolute. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/**
 * Reads the waiver file a check of the candidate (its entry file or package folder) uses.
 * @throws WaiverFileError for a named file that is missing, or a malformed file (exit code 2).
 */
export function loadWaivers(choice: WaiverChoice, candidatePath: string): WaiverSet | undefined {
  if (choice === false) return undefined;
  let file: string | undefined;
  if (choice !== undefined) {
    file = path.resolve(choice);
    if (!existsSync(file) || !statSync(file).isFile()) throw new WaiverFileError(`waiver file ${choice} (--waivers) is not found`);
  } else {
    const abs = path.resolve(candidatePath);
    const start = existsSync(abs) && statSync(abs).isDirectory() ? abs : path.dirname(abs);
    file = findWaiverFile(start);
    if (file === undefined) return undefined;
  }
  return parseWaiverFile(readFileSync(file), shown(file));
}
