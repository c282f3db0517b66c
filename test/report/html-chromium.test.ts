/**
 * Opens conformance.html in headless Chromium: the page must render (DOM after its script ran, and
 * a screenshot) from a file: URL with no network. The browser comes from npm (`@sparticuz/chromium`,
 * driven by `puppeteer-core`) unless a system one is present (see ./chromium.ts), so `npm ci` is
 * the only prerequisite; when no browser can be started this test fails and says why, it never skips.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report';
import { applyWaivers } from '../../src/report/waivers';
import { finalize, makeReport, makeRule } from './builder';
import { findChromium, OFFLINE_FLAGS, type FoundChromium } from './chromium';
import { attr, byId, parseHtml, select, textContent } from './html-dom';

const WIDTH = 1280;
const HEIGHT = 2000;

describe('conformance.html in headless Chromium', () => {
  let tmp: string;
  let url: string;
  let chromium: FoundChromium;
  let browser: Browser | undefined;
  /** Every request the page made that was not for a file: or data: URL (each one was refused). */
  const offline: string[] = [];
  const report = makeReport();
  const failing = report.rules.filter((r) => r.status === 'fail');

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'netdma-report-chromium-'));
    const [html] = await writeReports(report, join(tmp, 'out'), ['html']);
    url = pathToFileURL(html!).href;
    chromium = await findChromium();
    browser = await puppeteer.launch({
      executablePath: chromium.executablePath,
      headless: chromium.headless,
      args: [...OFFLINE_FLAGS, `--window-size=${WIDTH},${HEIGHT}`, '--hide-scrollbars'],
      userDataDir: join(tmp, 'profile'),
      env: chromium.env,
      timeout: 60_000,
    }).catch((err: unknown) => {
      throw new Error(`cannot start ${chromium.executablePath} (from ${chromium.source}): ${String(err)}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  /** Opens the report in a fresh page with a WIDTH×HEIGHT viewport, refusing any network request. */
  async function open() {
    const page = await browser!.newPage();
    await page.setViewport({ width: WIDTH, height: HEIGHT, deviceScaleFactor: 1 });
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (/^(file|data):/.test(req.url())) void req.continue();
      else {
        offline.push(req.url());
        void req.abort();
      }
    });
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.ok(), `loading ${url}`).toBe(true);
    return page;
  }

  it('a browser was found and started', async () => {
    expect(failing).toHaveLength(1);
    expect(browser?.connected, chromium.source).toBe(true);
    expect(await browser!.version()).toMatch(/Chrom/);
  });

  it('refuses a CHROMIUM_PATH that is not an executable file instead of silently using another browser', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = join(tmp, 'no-such-chromium');
    try {
      await expect(findChromium()).rejects.toThrow(/CHROMIUM_PATH=.*no-such-chromium is not an executable file/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it('renders the verdict and the failing rule (DOM after the inline script ran)', async () => {
    const page = await open();
    const dom = parseHtml(await page.content());
    expect(textContent(byId(dom, 'verdict')!)).toBe('nonconformant');
    const rows = select(dom, (e) => attr(e, 'data-rule-id') === failing[0]!.id);
    expect(rows).toHaveLength(1);
    expect(attr(rows[0]!, 'data-status')).toBe('fail');
    expect(select(dom, (e) => attr(e, 'data-status') === 'fail')).toHaveLength(1);
    // The inline script ran without breaking the page: every rule row is still shown.
    expect(select(dom, (e) => attr(e, 'data-rule-id') !== undefined && attr(e, 'hidden') === undefined)).toHaveLength(report.rules.length);
    // Laid out and visible, not just parsed: the verdict has a box and rendered text.
    expect(await page.$eval('#verdict', (e) => (e as unknown as { innerText: string }).innerText.trim().toLowerCase())).toBe('nonconformant');
    expect(offline, 'the report must not reach for the network').toEqual([]);
    await page.close();
  });

  it('shows what each failure breaks, a waived failure as waived with its reason, and the Waived filter shows only waived rules', async () => {
    const rules = [
      makeRule('PNP-REM-02', 'fail', { binding: { kind: 'documentation', doc: 'conceptual/stopping-a-netdma-provider.md', quote: 'The NetDMA provider driver must call NetDmaProviderStop before it deregisters a NetDMA provider.' } }),
      makeRule('PNP-START-12', 'fail', { level: 'DERIVED', binding: { kind: 'reading', ambiguities: [], reading: 'The suite reads all ones for a 64-bit engine.' } }),
      makeRule('IRP-07', 'pass'),
    ];
    const set = { file: 'netdma-conformance.json', sha256: `sha256:${'a'.repeat(64)}`, entries: [{ rule: 'PNP-START-12', reason: 'Erratum DS-4711: 48 address bits' }] };
    const applied = applyWaivers(rules, set, '2026-12-06');
    const waived = finalize(makeReport({ rules: applied.rules, overrides: { waivers: applied.waivers! } }));
    const [html] = await writeReports(waived, join(tmp, 'waived'), ['html']);
    const page = await browser!.newPage();
    await page.setViewport({ width: WIDTH, height: HEIGHT, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(html!).href, { waitUntil: 'load' });
    const text = (sel: string) => page.$eval(sel, (e) => (e as unknown as { innerText: string }).innerText.trim());
    expect((await text('#verdict')).toLowerCase()).toBe('nonconformant');
    expect(await text('[data-failure-for="PNP-REM-02"] .binding')).toBe(
      'Breaks documentation: MUST — the documentation, conceptual/stopping-a-netdma-provider.md: "The NetDMA provider driver must call NetDmaProviderStop before it deregisters a NetDMA provider."',
    );
    expect(await text('[data-failure-for="PNP-START-12"] .binding')).toBe("Breaks the suite's reading: DERIVED — the suite's reading, The suite reads all ones for a 64-bit engine.");
    expect(await text('[data-failure-for="PNP-START-12"] .waiver')).toBe('Waived: Erratum DS-4711: 48 address bits');
    await page.click('button[data-filter="waived"]');
    const shown = await page.$$eval('tr[data-rule-id]', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.getAttribute('data-rule-id')));
    expect(shown).toEqual(['PNP-START-12']);
    await page.close();
  });

  it('takes a non-trivial screenshot', async () => {
    const page = await open();
    const bytes = Buffer.from(await page.screenshot({ type: 'png' }));
    await page.close();
    expect(bytes.length).toBeGreaterThan(30_000);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([WIDTH, HEIGHT]);
    expect(offline).toEqual([]);
  });
});
