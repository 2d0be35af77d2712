// Browser test: state and boundaries (issue 5), typed and applied as a learner would: a pod with
// an emptyDir shared by two containers and a ConfigMap mounted as files, data written with
// kubectl exec, a crash that loses the container's own file and keeps the volume's, a quota
// that refuses a pod, and an RBAC question.
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

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  containers:
  - name: writer
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: scratch
      mountPath: /data
    - name: config
      mountPath: /etc/game
  - name: reader
    image: nginx:1.25
    volumeMounts:
    - name: scratch
      mountPath: /usr/share/nginx/html
      readOnly: true
  volumes:
  - name: scratch
    emptyDir: {}
  - name: config
    configMap:
      name: game
`;

test('volumes, config files, quota and can-i from the terminal and the editor', async () => {
  let out = await runCommand(page, 'kubectl create configmap game --from-literal=lives=3');
  assert.match(out, /configmap\/game created/);
  const applied = await applyFromEditor(page, POD);
  assert.match(applied, /pod\/shared created/);
  await runCommand(page, 'sim advance 20s');
  out = await runCommand(page, "kubectl exec shared -c writer -- sh -c 'echo hello > /data/index.html; echo mine > /tmp/note'");
  assert.equal(out.trim(), '');
  out = await runCommand(page, 'kubectl exec shared -c reader -- cat /usr/share/nginx/html/index.html');
  assert.equal(out.trim(), 'hello');
  out = await runCommand(page, 'kubectl exec shared -c writer -- cat /etc/game/lives');
  assert.equal(out.trim(), '3');
  await runCommand(page, 'sim pod crash shared -c writer');
  await runCommand(page, 'sim advance 5s');
  out = await runCommand(page, 'kubectl exec shared -c writer -- cat /tmp/note');
  assert.match(out, /No such file or directory/);
  out = await runCommand(page, 'kubectl exec shared -c writer -- cat /data/index.html');
  assert.equal(out.trim(), 'hello');
  out = await runCommand(page, 'kubectl describe pod shared');
  assert.match(out, /\/data from scratch \(rw\)/);
  assert.match(out, /EmptyDir \(a temporary directory that shares a pod's lifetime\)/);

  await runCommand(page, 'kubectl create namespace team');
  out = await runCommand(page, 'kubectl create quota small --hard=pods=1 -n team');
  assert.match(out, /resourcequota\/small created/);
  await runCommand(page, 'sim advance 2s');
  await runCommand(page, 'kubectl run a --image=nginx:1.25 -n team');
  out = await runCommand(page, 'kubectl run b --image=nginx:1.25 -n team');
  assert.match(out, /exceeded quota: small, requested: pods=1, used: pods=1, limited: pods=1/);
  out = await runCommand(page, 'kubectl auth can-i list pods -n team --as=system:serviceaccount:team:default');
  assert.equal(out.trim(), 'no');

  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'state.png') });
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
});
