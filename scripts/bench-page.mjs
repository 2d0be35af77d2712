#!/usr/bin/env node
// Issue 6's three page measurements, in headless Chromium against a built site (build it first:
// trunk build --release). Prints a report on stdout; progress on stderr.
//
//   node scripts/bench-page.mjs [--dist DIR] [--runs N] [--only weight|answer|frames]
//
// weight  Transfer size of everything the first view loads (every response until the app says
//         it is ready), each file gzip -9'd as a static host would send it, per file and in all;
//         and apart, the engine's worker files (loaded alongside, not waited for by the page).
// answer  Cold loads (a fresh browser context each: no cache, no saved state): from the start of
//         navigation until the terminal shows the answer to a typed `kubectl get pods` (typing
//         included, as a learner's keystrokes). Median and range of N runs (default 5).
// frames  Frame times with 300 pods drawn and up to 200 requests in flight on the map: a second
//         cluster with 4 workers, a Deployment of 300 replicas behind a NodePort Service, the
//         map's "send traffic" at 200 requests a second; requestAnimationFrame deltas over 5 s
//         of real time once the packets are flowing. p50/p95/max and packets in flight.
//
// Nothing is fetched from outside the site: the server is the tests' (tests/e2e/harness.mjs),
// and any request to another origin is counted and reported as a failure.
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, runCommand } from '../tests/e2e/harness.mjs';

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
const dist = arg('dist', process.env.E2E_DIST || 'dist');
const runs = Number(arg('runs', '5'));
const only = arg('only', '');
const log = (...a) => console.error(...a);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

const server = await startServer(dist);
const browser = await launch();
const origin = new URL(server.url).origin;
const report = [];
let failed = false;

async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.outside = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) page.outside.push(u);
  });
  return { context, page };
}

if (!only || only === 'weight') {
  const { context, page } = await freshPage();
  const files = [];
  let ready = false;
  const late = [];
  page.on('response', (r) => {
    if (!r.url().startsWith(origin)) return;
    (ready ? late : files).push(new URL(r.url()).pathname);
  });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body?.dataset.ready === '1', null, { timeout: 30_000 });
  await page.locator('#terminal-input').waitFor();
  ready = true;
  // The engine's worker loads alongside (index.html starts it first): its files are counted
  // apart, whenever they arrive, since the first view does not wait for them.
  await page.waitForFunction(() => document.body?.dataset.engine === '1', null, { timeout: 30_000 });
  const isEngine = (p) => /engine/.test(p);
  const sum = (list) => {
    let raw = 0;
    let gz = 0;
    const rows = [];
    for (const p of [...new Set(list)]) {
      const file = path.resolve(dist, '.' + (p.endsWith('/') ? p + 'index.html' : p));
      if (!fs.existsSync(file)) continue;
      const body = fs.readFileSync(file);
      const g = zlib.gzipSync(body, { level: 9 }).length;
      raw += body.length;
      gz += g;
      rows.push(`  ${p.padEnd(48)} ${kb(body.length).padStart(9)} raw ${kb(g).padStart(9)} gzip`);
    }
    return { raw, gz, rows };
  };
  const pageFiles = sum(files.filter((p) => !isEngine(p)));
  const engineFiles = sum([...files, ...late].filter(isEngine));
  report.push(`first view   ${kb(pageFiles.gz)} gzip (${kb(pageFiles.raw)} raw) in ${pageFiles.rows.length} files`, ...pageFiles.rows);
  report.push(
    `engine       ${kb(engineFiles.gz)} gzip (${kb(engineFiles.raw)} raw) in ${engineFiles.rows.length} files, loaded by its worker alongside the first view (${files.filter(isEngine).length} of them done before the page was ready)`,
    ...engineFiles.rows,
  );
  if (page.outside.length) {
    failed = true;
    report.push(`  fetched from outside the site: ${page.outside.join(', ')}`);
  }
  await context.close();
}

if (!only || only === 'answer') {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const { context, page } = await freshPage();
    await page.goto(server.url, { waitUntil: 'commit' });
    const input = page.locator('#terminal-input');
    await input.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.body?.dataset.ready === '1');
    await input.click();
    await page.keyboard.type('kubectl get pods');
    await page.keyboard.press('Enter');
    const t = await page.waitForFunction(
      () => {
        const outs = [...document.querySelectorAll('#terminal-output .term-entry')];
        const last = outs[outs.length - 1];
        const cmd = last?.querySelector('.term-command')?.textContent || last?.textContent || '';
        const out = last?.querySelector('.term-output')?.textContent || '';
        return cmd.includes('kubectl get pods') && out.length > 0 ? performance.now() : null;
      },
      null,
      { timeout: 30_000, polling: 'raf' },
    );
    const ms = await t.jsonValue();
    times.push(ms);
    log(`answer run ${i + 1}: ${ms.toFixed(0)} ms`);
    await context.close();
  }
  report.push(
    `answered     median ${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}) over ${runs} cold loads, navigation start → \`kubectl get pods\` answered, typing included`,
  );
}

if (!only || only === 'frames') {
  const page = await openApp(browser, server.url);
  const setup = [
    'sim cluster create perf --workers 4',
    'kubectl config use-context perf',
    'kubectl create deployment web --image=nginx:1.25 --replicas=300',
    'kubectl expose deployment web --port=80 --type=NodePort',
    'sim advance 30s',
  ];
  for (const c of setup) {
    const out = await runCommand(page, c);
    log(`$ ${c}\n${out.split('\n').slice(0, 2).join('\n')}`);
  }
  const drawn = await page.locator('#cluster-pane [data-pod]').count();
  // Traffic to the Service's node port from the laptop, 200 a second.
  await page.selectOption('#traffic-rate', '200');
  await page.click('#traffic-toggle');
  await page.waitForTimeout(3_000);
  const result = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const deltas = [];
        const inFlight = [];
        let last = performance.now();
        const end = last + 5_000;
        const frame = (t) => {
          deltas.push(t - last);
          last = t;
          inFlight.push(document.querySelectorAll('#map-traffic circle').length);
          if (t < end) requestAnimationFrame(frame);
          else resolve({ deltas, inFlight });
        };
        requestAnimationFrame((t) => {
          last = t;
          requestAnimationFrame(frame);
        });
      }),
  );
  await page.click('#traffic-toggle');
  const stats = await page.locator('.traffic-stats').innerText();
  const { deltas, inFlight } = result;
  report.push(
    `frames       p50 ${pct(deltas, 50).toFixed(1)} ms, p95 ${pct(deltas, 95).toFixed(1)} ms, max ${Math.max(...deltas).toFixed(1)} ms over ${deltas.length} frames (5 s)`,
    `             ${drawn} pods drawn; requests in flight median ${median(inFlight)}, max ${Math.max(...inFlight)}; traffic ${stats}`,
  );
  if (page.errors.length) {
    failed = true;
    report.push(`  page errors: ${page.errors.join('\n')}`);
  }
  await page.close();
}

const version = browser.version();
await browser.close();
await server.close();
console.log(`bench-page (${dist}, Chromium ${version})`);
console.log(report.join('\n'));
process.exit(failed ? 1 : 0);
