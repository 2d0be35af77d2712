// Browser tests for the orchestrator as a learner meets it: a Deployment applied from the
// editor heals a deleted pod, and a stopped worker goes NotReady in the cluster view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openApp, runCommand } from './harness.mjs';

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

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`;

test('a Deployment from the editor runs three pods and replaces a deleted one', async () => {
  await page.fill('#editor', DEPLOYMENT);
  await page.click('#apply');
  await page.click('#apply-confirm'); // the preview first, then apply
  await page.waitForFunction(() => document.querySelector('#apply-result')?.textContent.includes('deployment.apps/web created'));
  await runCommand(page, 'sim advance 30s');
  const out = await runCommand(page, 'kubectl get deploy web');
  assert.match(out, /^web\s+3\/3\s+3\s+3\s+\S+$/m, out);
  // Pods are named <deployment>-<hash>-<5 chars> (fact 2) and drawn in the cluster view.
  const pods = await page.$$eval('[data-pod^="web-"][data-status="Running"]', (els) => els.map((e) => e.dataset.pod));
  assert.equal(pods.length, 3, `pods in the view: ${pods}`);
  for (const name of pods) assert.match(name, /^web-[bcdfghjklmnpqrstvwxz2456789]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const deleted = await runCommand(page, `kubectl delete pod ${pods[0]}`);
  assert.match(deleted, new RegExp(`pod "${pods[0]}" deleted`));
  await runCommand(page, 'sim advance 10s');
  const after = await runCommand(page, 'kubectl get pods -l app=web -o name');
  assert.equal(after.trim().split('\n').length, 3, after);
  assert.ok(!after.includes(pods[0]), 'the deleted pod is gone and replaced under a new name');
  assert.deepEqual(page.errors, []);
});

test('a stopped worker goes NotReady and is drawn powered off', async () => {
  const out = await runCommand(page, 'sim node stop worker-2');
  assert.match(out, /node worker-2 powered off/);
  await runCommand(page, 'sim advance 45s');
  const nodes = await runCommand(page, 'kubectl get nodes');
  assert.match(nodes, /^worker-2\s+NotReady\s+/m, nodes);
  await page.waitForSelector('[data-node="worker-2"][data-ready="false"]');
  const label = await page.textContent('[data-node="worker-2"]');
  assert.match(label, /powered off/);
  await runCommand(page, 'sim node start worker-2');
  await runCommand(page, 'sim advance 5s');
  await page.waitForSelector('[data-node="worker-2"][data-ready="true"]');
  assert.deepEqual(page.errors, []);
});
