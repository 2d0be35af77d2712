// Browser tests for the cluster map: pods drawn from the engine, a request animated (or listed
// with reduced motion), describe on click, a Service's endpoints highlighted, a node stopped
// from the map with a confirmation, generated traffic, and screenshots in dark and light.
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

async function setUp(p) {
  await runCommand(p, 'kubectl create deployment web --image=nginx:1.25 --replicas=3');
  await runCommand(p, 'kubectl expose deployment web --port=80');
  await runCommand(p, 'kubectl create service clusterip nothing --tcp=80:80');
  await runCommand(p, 'kubectl run client --image=busybox:1.36 -- sleep 3600');
  await runCommand(p, 'sim advance 30s');
}

test('pods and Services applied in the terminal are drawn on the map', async () => {
  await setUp(page);
  await page.waitForFunction(
    () => document.querySelectorAll('#cluster-map [data-pod^="web-"][data-status="Running"]').length === 3,
  );
  assert.ok(await page.locator('#cluster-map [data-id="c0/svc/default/web"]').isVisible());
  assert.ok(await page.locator('#cluster-map [data-id="laptop"]').isVisible());
  assert.ok(await page.locator('#cluster-map [data-id="public-dns"]').isVisible());
  // Three masters with their components, two workers with kube-proxy.
  assert.equal(await page.locator('#cluster-map .node.master').count(), 3);
  assert.equal(await page.locator('#cluster-map .node.worker').count(), 2);
  assert.equal(await page.locator('#cluster-map .component.up').count(), 12);
  const label = await page.getAttribute('#cluster-map [data-pod="client"]', 'aria-label');
  assert.match(label, /pod default\/client: Running, 1\/1 ready, 10\.244\./);
  assert.deepEqual(page.errors, []);
});

test('a request from a pod moves along the map and its hops are listed', async () => {
  await runCommand(page, 'kubectl exec client -- wget -qO- http://web/');
  await page.waitForSelector('#map-traffic circle.packet', { timeout: 3_000 });
  await page.waitForTimeout(900);
  await page.screenshot({ path: path.join(SHOTS, 'map-request-dark.png') });
  const hops = await page.$$eval('#map-hops .hop-list li', (els) => els.map((e) => e.dataset.element));
  assert.equal(hops[0], 'c0/pod/default/client');
  assert.equal(hops[1], 'c0/svc/kube-system/kube-dns');
  assert.ok(hops.includes('c0/svc/default/web'), hops.join(' '));
  assert.match(hops[hops.length - 1], /^c0\/pod\/default\/web-/);
  assert.match(await page.textContent('#map-live'), /request: pod default\/client → Service kube-system\/kube-dns → .*: 200 OK/);
  // The dot arrives and goes away.
  await page.waitForFunction(() => !document.querySelector('#map-traffic circle'), null, { timeout: 8_000 });
});

test('a failed request turns red at the failing hop with the reason', async () => {
  await runCommand(page, 'kubectl exec client -- wget -qO- -T 2 http://nothing/');
  await page.waitForSelector('#map-traffic circle.packet.failed', { timeout: 6_000 });
  const reason = await page.textContent('#map-traffic .packet-fail');
  assert.match(reason, /no ready endpoints/);
  await page.screenshot({ path: path.join(SHOTS, 'map-failed-dark.png') });
  const failed = await page.$$eval('#map-hops .hop-list li.failed', (els) => els.map((e) => e.dataset.element));
  assert.equal(failed.length, 1);
  assert.match(failed[0], /^c0\/kube-proxy\/worker-/);
  assert.match(await page.textContent('#map-live'), /failed at kube-proxy on worker-\d: no ready endpoints/);
});

test('clicking a pod describes it; a Service highlights its endpoints', async () => {
  const name = await page.getAttribute('#cluster-map [data-pod^="web-"]', 'data-pod');
  await page.click(`#cluster-map [data-pod="${name}"]`);
  await page.waitForSelector('#map-describe');
  const text = await page.textContent('#map-describe');
  assert.match(text, new RegExp(`^Name:\\s+${name}$`, 'm'));
  assert.match(text, /^Status:\s+Running$/m);
  // Describe is not a command the learner typed: the terminal does not show it.
  assert.ok(!(await page.textContent('#terminal-output')).includes('describe pod'));
  await page.click('#cluster-map [data-id="c0/svc/default/web"]');
  await page.waitForFunction(() => document.querySelectorAll('#cluster-map .pod.endpoint').length === 3);
  assert.equal(await page.locator('#cluster-map .endpoint-line').count(), 3);
  assert.match(await page.textContent('#map-describe'), /^Endpoints:\s+10\.244\./m);
  await page.screenshot({ path: path.join(SHOTS, 'map-service-dark.png') });
  // Keyboard: focus a pod and press Enter.
  await page.focus('#cluster-map [data-pod="client"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Name:\s+client/.test(document.querySelector('#map-describe')?.textContent || ''));
  await page.keyboard.press('Escape');
  await page.waitForSelector('#map-panel', { state: 'detached' });
});

test('a node is stopped from the map after a confirmation, and the terminal shows the command', async () => {
  // The node's name row: its middle is covered by its pods.
  await page.click('#cluster-map [data-node="worker-2"]', { position: { x: 40, y: 10 } });
  await page.click('#map-panel .drill[data-command="sim node stop worker-2"]');
  assert.match(await page.textContent('#map-panel .confirm'), /Run sim node stop worker-2\?/);
  await page.click('#map-confirm');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#terminal-output .term-entry')].some((e) => e.textContent.includes('node worker-2 powered off')),
  );
  await runCommand(page, 'sim advance 45s');
  await page.waitForSelector('#cluster-map [data-node="worker-2"][data-ready="false"]');
  assert.match(await page.textContent('#cluster-map [data-node="worker-2"]'), /powered off/);
  assert.match(await page.textContent('#map-live'), /node worker-2/);
  await page.screenshot({ path: path.join(SHOTS, 'map-node-stopped-dark.png') });
  // And back on.
  await page.click('#map-panel .drill[data-command="sim node start worker-2"]');
  await page.click('#map-confirm');
  await runCommand(page, 'sim advance 10s');
  await page.waitForSelector('#cluster-map [data-node="worker-2"][data-ready="true"]');
  await page.click('#map-panel .panel-close');
});

test('send traffic runs real requests through the engine and animates them', async () => {
  const options = await page.$$eval('#traffic-target option', (els) => els.map((e) => e.textContent));
  const web = options.find((o) => o.includes('Service web'));
  assert.ok(web, options.join(' | '));
  await page.selectOption('#traffic-target', { label: web });
  await page.selectOption('#traffic-rate', '20');
  await page.click('#traffic-toggle');
  await page.waitForFunction(() => document.querySelectorAll('#map-traffic circle').length >= 5, null, { timeout: 5_000 });
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(SHOTS, 'map-traffic-dark.png') });
  await page.click('#traffic-toggle');
  const stats = await page.textContent('.traffic-stats');
  assert.match(stats, /^\d+ ok · 0 failed$/);
  assert.ok(parseInt(stats, 10) >= 10, stats);
  assert.match(await page.textContent('#map-live'), /traffic stopped: \d+ requests/);
  assert.deepEqual(page.errors, []);
});

test('light theme, and reduced motion lists the hops instead of animating', async () => {
  const p = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' });
  p.errors = [];
  p.on('pageerror', (err) => p.errors.push(err.message));
  await p.goto(server.url);
  await p.waitForFunction(() => document.body.dataset.ready === '1' && document.body.dataset.engine === '1');
  await setUp(p);
  await p.waitForFunction(
    () => document.querySelectorAll('#cluster-map [data-pod^="web-"][data-status="Running"]').length === 3,
  );
  await runCommand(p, 'kubectl exec client -- wget -qO- http://web/');
  await p.waitForSelector('#map-hops .hop-list li');
  assert.match(await p.textContent('#map-hops h3'), /reduced motion/);
  await p.waitForTimeout(300);
  assert.equal(await p.locator('#map-traffic circle').count(), 0);
  await p.click('#cluster-map [data-id="c0/svc/default/web"]');
  await p.waitForSelector('#map-describe');
  await p.screenshot({ path: path.join(SHOTS, 'map-light.png') });
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('opening a lesson stops the traffic and forgets the last request; back in the sandbox, new requests show', async () => {
  await page.waitForSelector('#map-hops .hop-list li');
  await page.click('#traffic-toggle');
  await page.waitForFunction(() => document.querySelector('#traffic-toggle')?.getAttribute('aria-pressed') === 'true');
  await page.evaluate(() => {
    location.hash = '#/lesson/scale';
  });
  await page.locator('#lesson-view[data-lesson="scale"]').waitFor();
  await page.waitForFunction(() => document.querySelector('#traffic-toggle')?.getAttribute('aria-pressed') === 'false');
  assert.equal(await page.locator('#map-hops .hop-list li').count(), 0);
  // The lesson's world has no client pod: the sandbox's requests did not follow it there.
  assert.match(await runCommand(page, 'kubectl get pods client'), /NotFound/);
  await page.evaluate(() => {
    location.hash = '#/sandbox';
  });
  await page.waitForFunction(() => document.querySelector('#cluster-map [data-pod="client"]'));
  await runCommand(page, 'kubectl exec client -- wget -qO- http://web/');
  await page.waitForSelector('#map-hops .hop-list li');
  assert.deepEqual(page.errors, []);
});
