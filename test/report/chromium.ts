/**
 * Finds a headless Chromium for the HTML report test, with nothing but `npm ci` behind it.
 *
 * In order:
 * 1. `CHROMIUM_PATH`, when set (it must then be an executable file: a wrong path fails, it is
 *    never silently replaced);
 * 2. `/usr/bin/chromium`, when present (a system browser starts without unpacking anything);
 * 3. the Chromium shipped inside the `@sparticuz/chromium` devDependency (a brotli-compressed
 *    chrome-headless-shell with its fonts, SwiftShader and the NSS/expat libraries it links
 *    against). It is unpacked once per package version into `<tmpdir>/netdma-conformance-chromium-<version>/`:
 *    into a private staging folder first, then renamed into place, so concurrent test runs on one
 *    machine never see a half-written browser. (The package's own `executablePath()` unpacks into a
 *    fixed, unversioned `<tmpdir>/chromium` that it trusts whenever the file exists, and sets up
 *    fonts and libraries only on AWS hosts; hence this loader for its payload.)
 * @module
 */
import { execFile } from 'node:child_process';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

/** A browser ready to be launched by puppeteer-core. */
export interface FoundChromium {
  /** The executable. */
  readonly executablePath: string;
  /** Where it came from, for messages: `CHROMIUM_PATH`, `/usr/bin/chromium` or `@sparticuz/chromium@<version>`. */
  readonly source: string;
  /** puppeteer's `headless` option: the bundled browser is chrome-headless-shell, which knows only that mode. */
  readonly headless: true | 'shell';
  /** Environment of the browser process. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The Debian/Ubuntu package's path, used when present. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags that keep Chromium headless, unsandboxed (the tests may run as root) and off the network:
 * no background requests, component updates, sync, first-run tasks or GPU process.
 */
export const OFFLINE_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Decompresses a `.br` file to `to`. */
async function unbrotli(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createBrotliDecompress(), createWriteStream(to, { mode: 0o755 }));
}

/**
 * Unpacks a `.tar.br` into `dir`: decompressed to a file first, then extracted with the system `tar`
 * (which every Linux base image has). Piping into tar's stdin instead races with tar exiting at the
 * end-of-archive marker before it has read the padding after it.
 */
async function untarBrotli(from: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tarFile = `${dir}.tar`;
  await pipeline(createReadStream(from), createBrotliDecompress(), createWriteStream(tarFile));
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('tar', ['-x', '-f', tarFile, '-C', dir], (err, _stdout, stderr) =>
        err ? reject(new Error(`tar -x ${from}: ${err.message}\n${stderr}`)) : resolve(),
      );
    });
  } finally {
    await rm(tarFile, { force: true });
  }
}

/**
 * The fontconfig file of the bundled browser: the system's configuration when there is one, plus
 * the fonts shipped in the package, so text renders on a machine with no fonts installed.
 */
function fontsConf(dir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${join(dir, 'fonts', 'fonts')}</dir>`,
    `  <cachedir>${join(dir, 'fonts-cache')}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

/** Unpacks the package's browser once per version; returns the folder holding `chromium`. */
async function unpackBundled(binDir: string, version: string): Promise<string> {
  const dir = join(tmpdir(), `netdma-conformance-chromium-${version}`);
  // The marker is written last, and the folder appears by rename: with it, the unpacking is complete.
  const complete = async (): Promise<boolean> =>
    (await isExecutableFile(join(dir, 'chromium'))) && (await readFile(join(dir, 'UNPACKED'), 'utf8').catch(() => '')) === version;
  if (await complete()) return dir;
  const staging = await mkdtemp(join(tmpdir(), `netdma-conformance-chromium-${version}-staging-`));
  try {
    await Promise.all([
      unbrotli(join(binDir, 'chromium.br'), join(staging, 'chromium')),
      untarBrotli(join(binDir, 'fonts.tar.br'), join(staging, 'fonts')),
      untarBrotli(join(binDir, 'swiftshader.tar.br'), staging),
      untarBrotli(join(binDir, 'al2023.tar.br'), join(staging, 'al2023')),
    ]);
    await writeFile(join(staging, 'fonts.conf'), fontsConf(dir));
    await writeFile(join(staging, 'UNPACKED'), version);
    // Another run may have put its copy in place meanwhile: then use that one.
    if (!(await complete())) {
      await rm(dir, { recursive: true, force: true }); // an incomplete leftover
      await rename(staging, dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await complete())) throw new Error(`unpacking @sparticuz/chromium into ${dir} failed`);
  return dir;
}

/**
 * Finds (and, for the bundled browser, unpacks) the Chromium to use; see the module comment for
 * the order. Throws with a message that says what to do when none can be used.
 */
export async function findChromium(): Promise<FoundChromium> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!(await isExecutableFile(fromEnv))) {
      throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file; unset it to use the Chromium bundled in @sparticuz/chromium`);
    }
    return { executablePath: fromEnv, source: 'CHROMIUM_PATH', headless: true, env: process.env };
  }
  if (await isExecutableFile(SYSTEM_CHROMIUM)) {
    return { executablePath: SYSTEM_CHROMIUM, source: SYSTEM_CHROMIUM, headless: true, env: process.env };
  }
  const require = createRequire(import.meta.url);
  // The package exports only its entry (build/{esm,cjs}/index.*); bin/ and package.json sit two levels up.
  const root = dirname(dirname(dirname(require.resolve('@sparticuz/chromium'))));
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const dir = await unpackBundled(join(root, 'bin'), version);
  const libs = join(dir, 'al2023', 'lib');
  const ld = process.env.LD_LIBRARY_PATH;
  return {
    executablePath: join(dir, 'chromium'),
    source: `@sparticuz/chromium@${version}`,
    headless: 'shell',
    env: {
      ...process.env,
      // The NSS, NSPR and expat builds the browser was linked against, for hosts that lack them.
      LD_LIBRARY_PATH: ld === undefined || ld === '' ? libs : `${libs}:${ld}`,
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
    },
  };
}
