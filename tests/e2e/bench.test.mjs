// The benchmark pages (#/bench and #/bench/traffic, src/ui/bench.rs) run tiny benchmarks, so the
// routes scripts/bench-browser.mjs drives cannot rot unnoticed. Nothing here is timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openApp } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the app goes to #/bench and runs a tiny benchmark to all pods ready', async () => {
  const page = await openApp(browser, server.url);
  assert.equal(await page.locator('#bench').count(), 0, 'the app has no benchmark in it');
  // Changing the address to the route reloads into the benchmark page.
  await page.evaluate(() => {
    location.hash = '#/bench?nodes=10&deployments=2&replicas=2&ticks=3';
  });
  await page.locator('#bench-run').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('#lesson-pane').count(), 0, 'the app is not mounted');
  assert.equal(await page.locator('[data-param="nodes"]').innerText(), '10');
  assert.equal(await page.locator('[data-param="pods"]').innerText(), '4');

  await page.click('#bench-run');
  const report = page.locator('#bench-report');
  await report.waitFor({ timeout: 30_000 });
  const text = await report.innerText();
  assert.match(text, /^size\s+10 nodes, 2 deployments × 2 replicas = 4 pods \(seed 1\)$/m);
  assert.match(text, /^pods ready\s+4\/4$/m, text);
  assert.match(text, /^steady tick\s+median [\d.]+ [mµ]s, p95 [\d.]+ [mµ]s over 3 ticks of 1 s$/m, text);
  assert.match(text, /^peak memory\s+\d+ MB \(wasm linear memory\)$/m, text);
  assert.equal(await report.getAttribute('data-converged'), 'true');
  assert.equal(await page.locator('#bench').getAttribute('data-state'), 'done');
  assert.match(await page.locator('#bench-progress').textContent(), /4\/4 pods ready/);
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
  await page.close();
});

test('#/bench/traffic sends a few traced requests through the gateway and reports them', async () => {
  const page = await openApp(browser, `${server.url}#/bench/traffic?requests=200`);
  await page.locator('#bench-run').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('#bench').getAttribute('data-kind'), 'traffic');
  assert.equal(await page.locator('[data-param="requests"]').innerText(), '200');
  await page.click('#bench-run');
  const report = page.locator('#bench-report');
  await report.waitFor({ timeout: 30_000 });
  const text = await report.innerText();
  assert.equal(await report.getAttribute('data-ok'), 'true', text);
  assert.match(text, /^traffic\s+GET \/ through the Kubernetes 101 gateway .* 200 requests from each place \(seed 1\)$/m);
  assert.match(text, /^laptop\s+laptop → 203\.0\.113\.\d+:80 /m, text);
  assert.match(text, /^laptop rate\s+\d+ requests\/s, [\d.]+ [mµ]s per request, .* for 200$/m, text);
  assert.match(text, /^laptop hops\s+15\.0 per request \(5 top-level, 10 nested\); first answer 200 OK/m, text);
  assert.match(text, /^pod hops\s+15\.0 per request \(5 top-level, 10 nested\); first answer 200 OK/m, text);
  const trace = await page.locator('#bench-trace').textContent();
  assert.match(trace, / 2\. cloud load balancer 203\.0\.113\.\d+ /);
  assert.match(trace, /15\. container gateway +gateway \(alexgiavaras\/k8s_101_service_gateway:latest\) combines 2 upstream answers into 200 OK/);
  assert.equal(await page.locator('#bench').getAttribute('data-state'), 'done');
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
  await page.close();
});

test('bad benchmark parameters are refused on the page', async () => {
  const page = await openApp(browser, `${server.url}#/bench?nodes=lots&color=red`);
  const errors = await page.locator('#bench-errors').innerText();
  assert.match(errors, /nodes: "lots" is not a whole number/);
  assert.match(errors, /unknown parameter "color"/);
  assert.ok(await page.locator('#bench-run').isDisabled());
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
  await page.close();
  const traffic = await openApp(browser, `${server.url}#/bench/traffic?requests=-1&nodes=3`);
  const refused = await traffic.locator('#bench-errors').innerText();
  assert.match(refused, /requests: "-1" is not a whole number/);
  assert.match(refused, /unknown parameter "nodes" \(requests, seed\)/);
  assert.ok(await traffic.locator('#bench-run').isDisabled());
  assert.deepEqual(traffic.errors, [], `page errors:\n${traffic.errors.join('\n')}`);
  await traffic.close();
});
