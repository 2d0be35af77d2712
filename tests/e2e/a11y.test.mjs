// Accessibility: axe-core (npm devDependency) run in the page on the main views, in dark and in
// light: the page as it loads, after a pod is applied from the editor and a command typed, the
// map with a pod selected (its describe open), the editor showing errors and the apply preview,
// and the stacked layout at 375 px. Any violation fails, printed rule by rule with the nodes.
// Also: the aria-live line says in words what changed on the map and where a request went.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp, runCommand, applyFromEditor } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    app: hello
spec:
  containers:
  - name: web
    image: nginx:1.25
    ports:
    - containerPort: 80
`;

const BROKEN = `apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers:
  - name: web
    imagee: nginx:1.25
    ports:
    - containerPort: 99999
`;

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

/** Runs axe on the page; returns its violations, each with the nodes that fail. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE });
  }
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      url: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        html: n.html.length > 160 ? `${n.html.slice(0, 160)}…` : n.html,
        why: (n.failureSummary || '').replace(/\n\s*/g, ' / '),
      })),
    }));
  });
}

function readable(view, violations) {
  const lines = [`${violations.length} axe violation(s) on ${view}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help} [${v.url}]`);
    for (const n of v.nodes.slice(0, 8)) {
      lines.push(`    at ${n.target}\n      ${n.html}\n      ${n.why}`);
    }
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}

async function expectClean(page, view) {
  const violations = await axe(page);
  assert.equal(violations.length, 0, readable(view, violations));
}

for (const scheme of ['dark', 'light']) {
  test(`axe finds nothing on the main views (${scheme})`, async () => {
    const page = await openApp(browser, server.url);
    await page.emulateMedia({ colorScheme: scheme });
    await page.click('#play-pause'); // a still world: nothing changes under axe
    await expectClean(page, `the page as it loads (${scheme})`);

    // A pod applied from the editor, a command typed at the terminal.
    const applied = await applyFromEditor(page, POD);
    assert.match(applied, /pod\/hello created/);
    await runCommand(page, 'sim advance 30s');
    const out = await runCommand(page, 'kubectl get pods');
    assert.match(out, /hello\s+1\/1\s+Running/);
    await page.waitForSelector('#cluster-map [data-pod="hello"][data-status="Running"]');
    await expectClean(page, `the page after a pod is applied and a command typed (${scheme})`);

    // The map with the pod selected: its describe in the details panel.
    await page.click('#cluster-map [data-pod="hello"]');
    await page.waitForSelector('#map-describe');
    assert.match(await page.textContent('#map-describe'), /Name:\s+hello/);
    await expectClean(page, `the map with a pod selected and described (${scheme})`);
    await page.click('#map-panel .panel-close');

    // A request from the laptop, listed hop by hop.
    await runCommand(page, 'kubectl expose pod hello --port=80 --type=NodePort');
    await runCommand(page, 'kubectl run client --image=busybox:1.36 -- sleep 3600');
    await runCommand(page, 'sim advance 30s');
    await runCommand(page, 'kubectl exec client -- wget -qO- http://hello/');
    await page.waitForSelector('#map-hops .hop-list li');
    await expectClean(page, `the map after a request (${scheme})`);

    // The apply preview of a change: configured, with its field diff; and of a new pod.
    await page.fill('#editor', POD.replace('nginx:1.25', 'nginx:1.26'));
    await page.click('#apply');
    await page.waitForSelector('#apply-preview .pv-diff');
    await expectClean(page, `the apply preview of a change (${scheme})`);
    await page.click('#apply-cancel');
    await page.fill('#editor', POD.replace('name: hello', 'name: second'));
    await page.click('#apply');
    await page.waitForSelector('#apply-preview .pv-created');
    await expectClean(page, `the apply preview of a new pod (${scheme})`);
    await page.click('#apply-cancel');

    // The editor showing errors, then the apply preview with a failure in it.
    await page.fill('#editor', BROKEN);
    await page.waitForSelector('#diagnostics .diag-error');
    await expectClean(page, `the editor with errors (${scheme})`);
    await page.click('#apply');
    await page.waitForSelector('#apply-preview');
    await expectClean(page, `the editor's apply preview (${scheme})`);
    await page.click('#apply-cancel');
    // The notice line (an empty editor cannot be applied).
    await page.fill('#editor', '');
    await page.click('#apply');
    await page.waitForSelector('#editor-error:not([hidden])');
    await expectClean(page, `the editor's notice (${scheme})`);
    await page.screenshot({ path: path.join(SHOTS, `a11y-editor-${scheme}.png`) });

    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test(`axe finds nothing in a lesson (${scheme})`, async () => {
    const page = await openApp(browser, `${server.url}#/lesson/scale`);
    await page.emulateMedia({ colorScheme: scheme });
    await page.locator('#lesson-view[data-lesson="scale"]').waitFor();
    await page.click('#play-pause');
    await page.locator('#goals .goal-why-toggle').first().click();
    await page.click('#hint');
    await expectClean(page, `a lesson with a goal's why and a hint shown (${scheme})`);
    await runCommand(page, 'kubectl scale deployment web --replicas=5');
    await runCommand(page, 'sim advance 20s');
    await page.locator('#lesson-done').waitFor();
    await expectClean(page, `a lesson done (${scheme})`);
    // The theme chosen by hand against the system's scheme.
    await page.click(scheme === 'dark' ? '[data-theme-choice="light"]' : '[data-theme-choice="dark"]');
    await expectClean(page, `a lesson done, the other theme chosen by hand (system ${scheme})`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test(`axe finds nothing in the stacked layout at 375 px (${scheme})`, async () => {
    const page = await openApp(browser, server.url);
    await page.setViewportSize({ width: 375, height: 667 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.click('#play-pause');
    await applyFromEditor(page, POD);
    await runCommand(page, 'sim advance 30s');
    await expectClean(page, `the stacked layout at 375 px (${scheme})`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('the live line says what changed on the map and where a request went', async () => {
  const page = await openApp(browser, server.url);
  await page.click('#play-pause');
  assert.equal(await page.getAttribute('#map-live', 'aria-live'), 'polite');
  await applyFromEditor(page, POD);
  await page.waitForFunction(() => /pod hello appeared/.test(document.querySelector('#map-live').textContent));
  await runCommand(page, 'sim advance 30s');
  await page.waitForFunction(() => /pod hello: .*Running/.test(document.querySelector('#map-live').textContent));
  await runCommand(page, 'kubectl run client --image=busybox:1.36 -- sleep 3600');
  await runCommand(page, 'sim advance 30s');
  await runCommand(page, 'kubectl exec client -- wget -qO- http://hello/');
  // Not a Service yet: the name does not resolve, and the line says so and where.
  let said = await page.textContent('#map-live');
  assert.match(said, /^request: .*failed at Service kube-system\/kube-dns: no DNS record/);
  await runCommand(page, 'kubectl expose pod hello --port=80');
  await runCommand(page, 'kubectl exec client -- wget -qO- http://hello/');
  said = await page.textContent('#map-live');
  assert.match(said, /^request: .*Service default\/hello.*pod default\/hello/);
  assert.doesNotMatch(said, /failed/);
  assert.deepEqual(page.errors, []);
  await page.close();
});
