// Browser test: traffic through an Ingress controller and Emissary, typed into the app's
// terminal as a learner would (issue 4). The install manifests come from the offline copies of
// their URLs; the Mapping is applied from the editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp, runCommand } from './harness.mjs';

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

const EMISSARY = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata:
  name: http
  namespace: emissary
spec:
  port: 8080
  protocol: HTTP
  securityModel: INSECURE
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata:
  name: any
spec:
  hostname: "*"
  requestPolicy:
    insecure:
      action: Route
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata:
  name: web
spec:
  prefix: /web/
  service: web
`;

test('an Ingress routes through ingress-nginx, and a Mapping through Emissary', async () => {
  let out = await runCommand(
    page,
    'kubectl apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.11.2/deploy/static/provider/cloud/deploy.yaml',
  );
  assert.match(out, /deployment\.apps\/ingress-nginx-controller created/);
  await runCommand(page, 'kubectl create deployment web --image=nginx:1.25 --replicas=2');
  await runCommand(page, 'kubectl expose deployment web --port=80');
  out = await runCommand(page, 'kubectl create ingress web --class=nginx --rule="shop.example.com/*=web:80"');
  assert.match(out, /ingress\.networking\.k8s\.io\/web created/);
  await runCommand(page, 'sim advance 60s');
  out = await runCommand(page, 'kubectl get ingress');
  assert.match(out, /^web\s+nginx\s+shop\.example\.com\s+203\.0\.113\.10\s+80\s+/m, out);
  out = await runCommand(page, "curl -s -H 'Host: shop.example.com' http://203.0.113.10/");
  assert.match(out, /Welcome to nginx!/);
  out = await runCommand(page, 'sim trace');
  assert.match(out, /ingress-nginx \(controller k8s\.io\/ingress-nginx\) serves 1 Ingress/);

  out = await runCommand(page, 'kubectl apply -f https://app.getambassador.io/yaml/emissary/3.9.1/emissary-crds.yaml');
  assert.match(out, /mappings\.getambassador\.io created/);
  await runCommand(page, 'kubectl apply -f https://app.getambassador.io/yaml/emissary/3.9.1/emissary-emissaryns.yaml');
  await page.fill('#editor', EMISSARY);
  await page.click('#apply');
  await page.click('#apply-confirm'); // the preview first, then apply
  await page
    .waitForFunction(
      () => (document.querySelector('#apply-result')?.textContent || '').includes('mapping.getambassador.io/web created'),
      null,
      { timeout: 5_000 },
    )
    .catch(async (e) => {
      const shown = await page.locator('#apply-result').innerText().catch(() => '');
      throw new Error(`the editor's apply did not create the Mapping: ${shown}\n${e}`);
    });
  await runCommand(page, 'sim advance 60s');
  out = await runCommand(page, 'kubectl get svc -n emissary emissary-ingress');
  const ip = (out.match(/(203\.0\.113\.\d+)/) || [])[1];
  assert.ok(ip, `emissary-ingress has no external IP:\n${out}`);
  out = await runCommand(page, `curl -s http://${ip}/web/`);
  assert.match(out, /Welcome to nginx!/);
  out = await runCommand(page, 'sim trace');
  assert.match(out, /Mapping default\/web \(prefix \/web\/, the longest that matches\)/);
  assert.match(out, /rewrite "\/" \(the default\) turns \/web\/ into \//);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'traffic.png') });
  assertNoPageErrors();
});
