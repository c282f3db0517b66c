/**
 * Opens conformance.html in headless Chromium: the page must render (DOM and screenshot) from a
 * file: URL with no network. Chromium is a test prerequisite (`apt-get install -y chromium`);
 * when it is missing this test fails and says so, it never skips.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report';
import { makeReport } from './builder';
import { attr, byId, parseHtml, select, textContent } from './html-dom';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT_MS = 90_000;

const INSTALL_HINT = `Chromium not found at ${CHROMIUM}. Install it with \`apt-get update && apt-get install -y chromium\` (Debian/Ubuntu, as root), or set CHROMIUM_PATH to a Chromium binary.`;

async function requireChromium(): Promise<void> {
  await access(CHROMIUM, constants.X_OK).catch(() => {
    throw new Error(INSTALL_HINT);
  });
}

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  await requireChromium();
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${CHROMIUM} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('conformance.html in headless Chromium', () => {
  let tmp: string;
  let url: string;
  const report = makeReport();
  const failing = report.rules.filter((r) => r.status === 'fail');

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'netdma-report-chromium-'));
    const [html] = await writeReports(report, join(tmp, 'out'), ['html']);
    url = pathToFileURL(html!).href;
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const flags = () => [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${join(tmp, 'profile')}`,
  ];

  it('Chromium is installed', async () => {
    expect(failing).toHaveLength(1);
    await requireChromium();
  });

  it('renders the verdict and the failing rule (--dump-dom)', async () => {
    const { stdout } = await run([...flags(), '--dump-dom', url]);
    const dom = parseHtml(stdout);
    expect(textContent(byId(dom, 'verdict')!)).toBe('nonconformant');
    const rows = select(dom, (e) => attr(e, 'data-rule-id') === failing[0]!.id);
    expect(rows).toHaveLength(1);
    expect(attr(rows[0]!, 'data-status')).toBe('fail');
    expect(select(dom, (e) => attr(e, 'data-status') === 'fail')).toHaveLength(1);
    // The inline script ran without breaking the page: every rule row is still shown.
    expect(select(dom, (e) => attr(e, 'data-rule-id') !== undefined && attr(e, 'hidden') === undefined)).toHaveLength(report.rules.length);
  });

  it('takes a non-trivial screenshot (--screenshot)', async () => {
    const png = join(tmp, 'report.png');
    await run([...flags(), `--screenshot=${png}`, '--window-size=1280,2000', '--hide-scrollbars', url]);
    const size = (await stat(png)).size;
    expect(size).toBeGreaterThan(30_000);
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2000]);
  });
});
