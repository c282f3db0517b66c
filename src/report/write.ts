/**
 * Writes report files atomically.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toHtml } from './html';
import { toJson } from './json';
import { toJunit } from './junit';
import { toMarkdown } from './markdown';
import { toSarif } from './sarif';
import type { ConformanceReport } from './schema';

/** Report formats {@link writeReports} can write. */
export const REPORT_FORMATS = ['json', 'junit', 'md', 'html', 'sarif'] as const;

/** A report format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** File name each format is written to. */
export const REPORT_FILE_NAMES: Readonly<Record<ReportFormat, string>> = {
  json: 'conformance.json',
  junit: 'junit.xml',
  md: 'summary.md',
  html: 'conformance.html',
  sarif: 'conformance.sarif',
};

/** Temporary files are named `.netdma-report-<pid>-<random>.tmp`. */
const REPORT_TMP_PREFIX = 'netdma-report-';

const WRITERS: Readonly<Record<ReportFormat, (report: ConformanceReport) => string>> = {
  json: toJson,
  junit: toJunit,
  md: toMarkdown,
  html: toHtml,
  sarif: (r) => toSarif(r),
};

/** Writes `text` to `path` through a temporary file in the same directory and a rename, so readers never see a partial file. */
async function writeAtomically(path: string, dir: string, text: string): Promise<void> {
  const tmp = join(dir, `.${REPORT_TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes the report in each requested format into `dir` (created if missing), each file via a
 * temporary file and a rename. Formats are written in the order given, repeats ignored.
 *
 * @returns the paths written, in the order of `formats`.
 */
export async function writeReports(report: ConformanceReport, dir: string, formats: readonly ReportFormat[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const format of [...new Set(formats)]) {
    const writer = WRITERS[format];
    if (writer === undefined) throw new Error(`unknown report format '${String(format)}' (expected one of ${REPORT_FORMATS.join(', ')})`);
    const path = join(dir, REPORT_FILE_NAMES[format]);
    await writeAtomically(path, dir, writer(report));
    paths.push(path);
  }
  return paths;
}
