// Browser tests: the built app (dist/) in headless Chromium.
// Run with `node --test tests/e2e/` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp, runCommand, applyFromEditor } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = path.join(HERE, 'screenshots');

let server;
let browser;
let page;

before(async () => {
  server = await startServer();
  browser = await launch();
  page = await openApp(browser, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function assertNoPageErrors() {
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
}

const HELLO_POD = `apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
    - name: nginx
      image: nginx:1.25
      ports:
        - containerPort: 80
`;

const SECOND_POD = `apiVersion: v1
kind: Pod
metadata:
  name: second
spec:
  containers:
    - name: busybox
      image: busybox:1.36
      command: ["sleep", "3600"]
`;

test("the page's wasm holds the views, the engine's worker the engine", async () => {
  // The page's first view downloads only its own wasm; the engine (API store, controllers,
  // kubectl, the exec shell) is in the worker's. A change that pulls engine code into the page
  // shows here as a jump in size (the page's was 1.06 MB when the split was made, the
  // engine's 2.9 MB).
  const dist = process.env.E2E_DIST || 'dist';
  const wasm = fs.readdirSync(dist).filter((f) => f.endsWith('.wasm'));
  const size = (re) => wasm.filter((f) => re.test(f)).map((f) => fs.statSync(path.join(dist, f)).size);
  const [pageWasm] = size(/^pocket-cluster-web/);
  const [engineWasm] = size(/^pocket-cluster-engine/);
  assert.ok(pageWasm && engineWasm, `both wasm files are built: ${wasm.join(', ')}`);
  assert.ok(pageWasm < 1_400_000, `the page's wasm is ${pageWasm} bytes: did engine code get into it?`);
  assert.ok(engineWasm > 2 * pageWasm, `the engine's wasm is ${engineWasm} bytes, the page's ${pageWasm}`);
  assert.equal(await page.evaluate(() => document.body.dataset.engine), '1', 'the engine answered');
});

test('loads the three panes', async () => {
  for (const id of ['#lesson-pane', '#cluster-pane', '#workbench-pane']) {
    assert.ok(await page.locator(id).isVisible(), `${id} should be visible`);
  }
  assertNoPageErrors();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'app.png') });
  assertNoPageErrors();
});

test('applies a Pod from the editor and sees it Running', async () => {
  await applyFromEditor(page, HELLO_POD);
  await page.waitForFunction(
    () => (document.querySelector('#apply-result')?.textContent || '').includes('pod/hello created'),
    null,
    { timeout: 5_000 },
  );
  assert.match(await page.locator('#apply-result').innerText(), /pod\/hello created/);

  // Move the virtual clock so the pod is scheduled, pulled and started.
  await runCommand(page, 'sim advance 30s');

  const row = /^hello\s+1\/1\s+Running\s+0\s+\S+$/m;
  const deadline = Date.now() + 20_000;
  let out = '';
  for (;;) {
    out = await runCommand(page, 'kubectl get pods');
    if (row.test(out) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.match(out, row, `kubectl get pods never showed hello Running:\n${out}`);
  assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);

  await page.locator('[data-pod="hello"][data-status="Running"]').first().waitFor({ timeout: 5_000 });
  assertNoPageErrors();
});

test('Ctrl+Enter previews, Enter on its Apply applies', async () => {
  await page.fill('#editor', SECOND_POD);
  await page.focus('#editor');
  await page.keyboard.press('Control+Enter');
  await page.locator('#apply-preview').waitFor({ timeout: 5_000 });
  assert.match(await page.locator('#apply-preview').innerText(), /created\s+pod\/second/);
  // Focus moved to the preview's Apply button.
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () => (document.querySelector('#apply-result')?.textContent || '').includes('pod/second created'),
    null,
    { timeout: 5_000 },
  );
  assert.match(await page.locator('#apply-result').innerText(), /pod\/second created/);
  assertNoPageErrors();
});

test('broken YAML shows line:column and the page stays usable', async () => {
  await page.fill('#editor', 'apiVersion: v1\nkind: Pod\n metadata:\n  name: x\n');
  const err = page.locator('#diagnostics .diag-error').first();
  await err.waitFor({ state: 'visible', timeout: 5_000 });
  assert.match(await err.innerText(), /Line \d+, column \d+/);

  const out = await runCommand(page, 'kubectl get pods');
  assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  assertNoPageErrors();
});

test('unknown command gets kubectl-like error', async () => {
  const out = await runCommand(page, 'kubectl frobnicate');
  assert.ok(
    out.includes('error: unknown command "frobnicate" for "kubectl"'),
    `unexpected output:\n${out}`,
  );
  assertNoPageErrors();
});
