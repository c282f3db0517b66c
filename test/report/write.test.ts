import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConformanceReport, REPORT_FORMATS, toHtml, toJson, toJunit, toMarkdown, toSarif, writeReports, type ReportFormat } from '../../src/report';
import { makeReport } from './builder';

describe('writeReports', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'netdma-report-write-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('creates the directory and writes every format under its fixed name, returning the paths', async () => {
    const report = makeReport();
    const dir = join(tmp, 'nested', 'reports');
    const paths = await writeReports(report, dir, [...REPORT_FORMATS]);
    expect(paths).toEqual(['conformance.json', 'junit.xml', 'summary.md', 'conformance.html', 'conformance.sarif'].map((f) => join(dir, f)));
    expect((await readdir(dir)).sort()).toEqual(['conformance.html', 'conformance.json', 'conformance.sarif', 'junit.xml', 'summary.md']);
    const expected: Record<ReportFormat, string> = { json: toJson(report), junit: toJunit(report), md: toMarkdown(report), html: toHtml(report), sarif: toSarif(report) };
    for (const [i, format] of REPORT_FORMATS.entries()) expect(await readFile(paths[i]!, 'utf8')).toBe(expected[format]);
    expect(parseConformanceReport(JSON.parse(await readFile(paths[0]!, 'utf8')))).toEqual(report);
  });

  it('writes only the requested formats, in the given order, once each; replaces existing files', async () => {
    await writeFile(join(tmp, 'summary.md'), 'old');
    const paths = await writeReports(makeReport(), tmp, ['md', 'json', 'md']);
    expect(paths).toEqual([join(tmp, 'summary.md'), join(tmp, 'conformance.json')]);
    expect((await readdir(tmp)).sort()).toEqual(['conformance.json', 'summary.md']);
    expect(await readFile(join(tmp, 'summary.md'), 'utf8')).toContain('NetDMA conformance');
  });

  it('leaves no temporary file behind when a rename fails', async () => {
    await mkdir(join(tmp, 'conformance.json'));
    await expect(writeReports(makeReport(), tmp, ['json'])).rejects.toThrow();
    expect(await readdir(tmp)).toEqual(['conformance.json']);
  });

  it('rejects an unknown format', async () => {
    await expect(writeReports(makeReport(), tmp, ['pdf' as ReportFormat])).rejects.toThrow(/unknown report format 'pdf'/);
  });
});
