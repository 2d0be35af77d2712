// Helpers for the browser tests: a static server for dist/, headless Chromium
// (playwright-core driving the Debian chromium) and app-level actions.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built site from `dir` (default: $E2E_DIST or dist/; relative to the
 * repo root unless absolute)
 * on 127.0.0.1 with an ephemeral port. `headers` are added to every file served.
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startServer(dir = process.env.E2E_DIST || 'dist', { headers = {} } = {}) {
  const root = path.resolve(REPO_ROOT, dir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${path.join(root, 'index.html')} is missing: run trunk build --release first`);
  }

  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(root, '.' + pathname);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        if (pathname === '/favicon.ico') {
          // Chromium asks for it on its own; a 404 would show up as a console error.
          res.writeHead(204).end();
          return;
        }
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
        ...headers,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      fs.createReadStream(file).pipe(res);
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Launches headless Chromium (Debian's /usr/bin/chromium unless $CHROMIUM says otherwise). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens the app in a new page and waits until it says it is ready
 * (body[data-ready="1"]). Page errors and console errors are collected in
 * `page.errors`.
 */
export async function openApp(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    page.errors.push(`console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  try {
    // The page draws first (data-ready); the engine's worker answers a moment later
    // (data-engine): the tests look at both.
    // (The benchmark pages ask the engine only when told to run.)
    const engine = !/#\/bench/.test(url);
    await page.waitForFunction(
      (engine) => document.body && document.body.dataset.ready === '1' && (!engine || document.body.dataset.engine === '1'),
      engine,
      { timeout: 15_000 },
    );
  } catch (err) {
    const errors = page.errors.length ? page.errors.join('\n') : '(no page errors were reported)';
    throw new Error(`the app never became ready (body[data-ready="1"], body[data-engine="1"]) within 15 s:\n${errors}\n${err.message}`);
  }
  return page;
}

/**
 * Types a command into the terminal, presses Enter and returns the text of the
 * new entry's output (`#terminal-output .term-entry` > `.term-output`).
 */
export async function runCommand(page, cmd) {
  // Mark the entries already there, so that the new one is told apart even
  // if the terminal caps its history or the same command was run before.
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('#terminal-output .term-entry')) el.dataset.e2eSeen = '1';
  });
  await page.fill('#terminal-input', cmd);
  await page.press('#terminal-input', 'Enter');
  let handle;
  try {
    handle = await page.waitForFunction(
      () => {
        const fresh = [...document.querySelectorAll('#terminal-output .term-entry')].filter(
          (el) => el.dataset.e2eSeen !== '1',
        );
        const last = fresh[fresh.length - 1];
        return last && last.querySelector('.term-output') ? last.querySelector('.term-output') : null;
      },
      null,
      { timeout: 10_000 },
    );
  } catch (err) {
    const errors = page.errors?.length ? `\npage errors:\n${page.errors.join('\n')}` : '';
    throw new Error(`no new #terminal-output .term-entry .term-output after running ${JSON.stringify(cmd)}${errors}\n${err.message}`);
  }
  const text = await handle.evaluate((el) => el.innerText);
  await handle.dispose();
  return text.replace(/\r\n/g, '\n');
}

/**
 * Puts `text` in the editor's current file and applies it as a learner does: Apply shows
 * the preview (#apply-preview), Apply in it runs `kubectl apply -f FILE`. Returns
 * #apply-result's text once it is there.
 */
export async function applyFromEditor(page, text) {
  await page.fill('#editor', text);
  await page.click('#apply');
  await page.locator('#apply-confirm').waitFor({ timeout: 5_000 });
  await page.click('#apply-confirm');
  const handle = await page.waitForFunction(
    () => {
      const t = document.querySelector('#apply-result')?.textContent || '';
      return t.trim() ? t : null;
    },
    null,
    { timeout: 5_000 },
  );
  return handle.jsonValue();
}
