// Browser tests for the plots under the cluster map and the theme toggle: a scaled Deployment's
// ready/desired summary following it, generated traffic counted per pod across the Service's
// pods, a stopped node showing errors, the toggle switching and keeping the theme across a
// reload, and screenshots of the plots in dark and light.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp, runCommand } from './harness.mjs';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

let server;
let browser;
let page;

before(async () => {
  server = await startServer();
  browser = await launch();
  page = await openApp(browser, server.url);
  await page.emulateMedia({ colorScheme: 'dark' });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const summary = (id) => page.textContent(`#${id}-summary`);
const waitSummary = (id, re, timeout = 8_000) =>
  page.waitForFunction(
    ([sel, src]) => new RegExp(src).test(document.querySelector(sel)?.textContent || ''),
    [`#${id}-summary`, re.source],
    { timeout },
  );

/** Whether the canvas has anything drawn on it (some pixel not transparent). */
const painted = (id) =>
  page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, id);

test('the plots are there, labelled, with summaries, before anything runs', async () => {
  for (const id of ['plot-pods', 'plot-replicas', 'plot-errors']) {
    const c = page.locator(`#${id}`);
    assert.equal(await c.getAttribute('role'), 'img');
    assert.ok((await c.getAttribute('aria-label')).length > 10);
    assert.equal(await c.getAttribute('aria-describedby'), `${id}-summary`);
  }
  assert.match(await summary('plot-pods'), /No request answered yet/);
  assert.match(await summary('plot-replicas'), /No Deployment/);
  assert.deepEqual(page.errors, []);
});

test('scaling a Deployment: desired moves at once, ready follows', async () => {
  await runCommand(page, 'kubectl create deployment web --image=nginx:1.25 --replicas=2');
  await runCommand(page, 'kubectl expose deployment web --name=web-lb --type=LoadBalancer --port=80');
  await runCommand(page, 'sim advance 30s');
  await waitSummary('plot-replicas', /deployment\/web: 2 of 2 ready/);
  await runCommand(page, 'kubectl scale deployment web --replicas=4');
  await waitSummary('plot-replicas', /deployment\/web: \d of 4 ready/);
  await runCommand(page, 'sim advance 20s');
  await waitSummary('plot-replicas', /deployment\/web: 4 of 4 ready/);
  assert.ok((await painted('plot-replicas')) > 500, 'the replicas chart is drawn');
});

test('generated traffic is counted by the pods that answered', async () => {
  await page.locator('#traffic-target option', { hasText: 'load balancer' }).first().waitFor({ state: 'attached' });
  const label = await page.locator('#traffic-target option', { hasText: 'load balancer' }).first().textContent();
  await page.selectOption('#traffic-target', { label });
  await page.selectOption('#traffic-rate', '20');
  await page.click('#traffic-toggle');
  await page.waitForTimeout(2_500);
  await page.click('#traffic-toggle');
  await waitSummary('plot-pods', /web-/);
  const text = await summary('plot-pods');
  const pods = [...text.matchAll(/(web-[a-z0-9-]+): (\d+) requests?/g)];
  assert.ok(pods.length >= 3, `kube-proxy spreads the load over the pods: ${text}`);
  const total = pods.reduce((n, m) => n + Number(m[2]), 0);
  assert.ok(total >= 20, text);
  assert.match(await summary('plot-errors'), /\d+ requests: 0 failed, 0 HTTP errors/);
  await page.waitForTimeout(600);
  assert.ok((await painted('plot-pods')) > 500, 'the bars are drawn');
  await page.locator('#plots').screenshot({ path: path.join(SHOTS, 'plots-traffic-dark.png') });
});

test('a stopped node: requests sent to its pods fail, and the errors show', async () => {
  // Hold the clock: the endpoints keep the stopped node's pods until the node controller acts.
  await page.click('#play-pause');
  const nodes = await runCommand(page, 'kubectl get pods -l app=web -o wide');
  const worker = nodes.match(/worker-\d/)?.[0] || 'worker-1';
  await runCommand(page, `sim node stop ${worker}`);
  const svc = await runCommand(page, 'kubectl get svc web-lb');
  const ip = svc.match(/203\.0\.113\.\d+/)?.[0];
  assert.ok(ip, svc);
  // A second of its own for these requests.
  await runCommand(page, 'sim advance 2s');
  for (let i = 0; i < 10; i++) await runCommand(page, `curl -s -m 2 http://${ip}/`);
  await waitSummary('plot-errors', /: [1-9]\d* failed/);
  assert.match(await summary('plot-errors'), /At \d+s: 10 requests, [1-9]\d* errors?/);
  await page.waitForTimeout(600);
  assert.ok((await painted('plot-errors')) > 500);
  await page.locator('#plots').screenshot({ path: path.join(SHOTS, 'plots-errors-dark.png') });
  await runCommand(page, `sim node start ${worker}`);
  await page.click('#play-pause');
});

test('the theme toggle switches the page and the plots, and is kept across a reload', async () => {
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await bg();
  await page.click('[data-theme-choice="light"]');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  assert.equal(await page.getAttribute('[data-theme-choice="light"]', 'aria-pressed'), 'true');
  assert.equal(await page.getAttribute('[data-theme-choice="auto"]', 'aria-pressed'), 'false');
  assert.notEqual(await bg(), dark, 'light overrides the dark system scheme');
  await page.waitForTimeout(700);
  await page.locator('#plots').screenshot({ path: path.join(SHOTS, 'plots-light.png') });
  await page.screenshot({ path: path.join(SHOTS, 'plots-page-light.png') });

  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === '1' && document.body.dataset.engine === '1');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  assert.equal(await page.getAttribute('[data-theme-choice="light"]', 'aria-pressed'), 'true');
  // The replayed session gives the same series.
  await waitSummary('plot-replicas', /deployment\/web: 4 of 4 ready/);
  await waitSummary('plot-pods', /web-/);

  // By keyboard: Dark, then Auto (the system's, dark here).
  await page.focus('[data-theme-choice="dark"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Space');
  assert.equal(await page.getAttribute('html', 'data-theme'), null);
  assert.equal(await page.getAttribute('[data-theme-choice="auto"]', 'aria-pressed'), 'true');
  assert.equal(await bg(), dark);
  // Under Auto, a light system scheme is followed.
  await page.emulateMedia({ colorScheme: 'light' });
  assert.notEqual(await bg(), dark);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(700);
  await page.screenshot({ path: path.join(SHOTS, 'plots-page-dark.png') });
  assert.deepEqual(page.errors, []);
});
