// The course in headless Chromium, as a learner goes through it: the overview, four lessons
// completed through the terminal and the editor only (chapter 3 `scale` and `zero-downtime`,
// chapter 6 `emptydir-shared`, chapter 10 `ingress-routes`), goals ticking live, hints, undo,
// reset, the solution run after a confirmation, deep links and a reload that keeps progress, Back/Forward,
// an unknown lesson id, the sandbox. Screenshots of the overview and of a done lesson.
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
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function assertNoPageErrors() {
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
}

async function go(hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

async function reload() {
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.body?.dataset.ready === '1' && document.body?.dataset.engine === '1', null, { timeout: 15_000 });
}

const title = () => page.locator('#lesson-title').innerText();

/** Waits until `n` goals of the open lesson are met (and the rest are not). */
async function goalsMet(n, timeout = 15_000) {
  try {
    await page.waitForFunction(
      (n) => {
        const goals = [...document.querySelectorAll('#goals .goal')];
        return goals.length > 0 && goals.filter((g) => g.dataset.met === 'true').length === n;
      },
      n,
      { timeout },
    );
  } catch (err) {
    const now = await page.locator('#goals').innerText().catch(() => '(no goals)');
    throw new Error(`expected ${n} goal(s) met; the goals read:\n${now}\n${err.message}`);
  }
}

test('the first visit shows the course overview with chapters 1-10 and where to start', async () => {
  await page.locator('#course-overview').waitFor();
  for (let n = 1; n <= 10; n++) {
    assert.match(await page.locator(`#chapter-${n}`).innerText(), new RegExp(`^Chapter ${n}: `));
  }
  assert.ok((await page.locator('.course-item').count()) >= 40, 'every lesson is listed');
  assert.match(await page.locator('#course-continue').innerText(), /^Start the course: /);
  assert.equal(await page.locator('#course-done-count').innerText(), '0');
  assertNoPageErrors();
});

test('an unknown lesson id says so and links to the overview', async () => {
  await go('#/lesson/no-such-lesson');
  await page.locator('#course-not-found').waitFor();
  assert.match(await page.locator('#course-not-found').innerText(), /no lesson called "no-such-lesson"/);
  await page.click('#course-not-found a[href="#/course"]');
  await page.locator('#course-overview').waitFor();
  assertNoPageErrors();
});

test('chapter 3, scale: the goals tick as the learner types, undo takes a command back', async () => {
  await page.click('.course-item[data-lesson="scale"] a');
  await page.locator('#lesson-view[data-lesson="scale"]').waitFor();
  assert.equal(await title(), 'Scaling a Deployment');
  assert.match(await page.locator('#lesson-step').innerText(), /Scale it to five/);
  await goalsMet(0);
  // The clock stands still, so that each goal ticks at the command that meets it.
  await page.click('#play-pause');
  // The terminal runs the lesson's world: its start made a Deployment web with two replicas.
  assert.match(await runCommand(page, 'kubectl get deployment web'), /web\s+2\/2/);

  // Why a goal does not hold yet, on demand.
  await page.locator('#goals .goal-why-toggle').first().click();
  assert.match(await page.locator('#goal-why-0').innerText(), /expected spec\.replicas of deployment web to be 5; found 2/);

  // Hints, one more per click.
  await page.click('#hint');
  await page.click('#hint');
  assert.equal(await page.locator('#hints li').count(), 2);
  assert.match(await page.locator('#hints').innerText(), /sim advance 20s/);

  assert.match(await runCommand(page, 'kubectl scale deployment web --replicas=5'), /scaled/);
  // The first goal ticks at once (the second as soon as the new pods are ready: nginx:1.25 is
  // already on the nodes).
  await page.waitForFunction(() => document.querySelector('#goals .goal')?.dataset.met === 'true');
  // Undo: the scale is taken back, the replicas are two again.
  await page.click('#undo');
  await goalsMet(0);
  assert.match(await page.locator('#course-message').innerText(), /Undid `kubectl scale deployment web --replicas=5`/);
  assert.match(await runCommand(page, 'kubectl get deployment web'), /web\s+2\/2/);

  await runCommand(page, 'kubectl scale deployment web --replicas=5');
  await runCommand(page, 'sim advance 20s');
  await goalsMet(2);
  await page.locator('#lesson-done').waitFor();
  assert.match(await page.locator('#lesson-done').innerText(), /Scaling is one number/);
  assert.match(await page.locator('#next-lesson').innerText(), /^Next lesson: /);
  assert.match(await page.locator('#goal-announcer').innerText(), /All goals met/);
  assertNoPageErrors();
});

test('a reload keeps the lesson, its world and the progress; reset starts the lesson again', async () => {
  await reload();
  await page.locator('#lesson-view[data-lesson="scale"]').waitFor();
  await goalsMet(2);
  assert.match(await page.locator('#terminal-output').innerText(), /Session restored: \d+ commands? replayed/);
  assert.match(await runCommand(page, 'kubectl get deployment web'), /web\s+5\/5/);

  await page.click('#lesson-reset');
  await page.click('#reset-confirm');
  await goalsMet(0);
  assert.match(await runCommand(page, 'kubectl get deployment web'), /web\s+2\/2/);
  await page.locator('#lesson-was-done').waitFor();
  await go('#/course');
  await page.locator('#course-overview').waitFor();
  assert.equal(await page.locator('.course-item[data-lesson="scale"]').getAttribute('data-status'), 'done');
  assertNoPageErrors();
});

const WEB_WITH_VOLUME = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: writer
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: html
      mountPath: /data
  - name: web
    image: nginx:1.25
    volumeMounts:
    - name: html
      mountPath: /usr/share/nginx/html
  volumes:
  - name: html
    emptyDir: {}
`;

test('chapter 6, emptydir-shared: the lesson file in the editor, applied, then the terminal', async () => {
  await go('#/lesson/emptydir-shared');
  await page.locator('#lesson-view[data-lesson="emptydir-shared"]').waitFor();
  await goalsMet(0);
  // The lesson's file is open in the editor.
  await page.waitForFunction(() => document.querySelector('#editor')?.value.includes('name: writer'));
  assert.doesNotMatch(await page.inputValue('#editor'), /volumes:/);
  assert.match(await applyFromEditor(page, WEB_WITH_VOLUME), /pod\/web created/);
  await goalsMet(1);
  await runCommand(page, 'sim advance 20s');
  await runCommand(page, "kubectl exec web -c writer -- sh -c 'echo hello from a volume > /data/index.html'");
  await goalsMet(2);
  await runCommand(page, 'sim pod crash web -c writer');
  await runCommand(page, 'sim advance 5s');
  await goalsMet(3);
  await page.locator('#lesson-done').waitFor();
  assertNoPageErrors();
});

test('Back and Forward move between lessons, each with its own world and files', async () => {
  await page.goBack();
  await page.locator('#course-overview').waitFor();
  await page.goBack();
  await page.locator('#lesson-view[data-lesson="scale"]').waitFor();
  assert.match(await runCommand(page, 'kubectl get deployment web'), /web\s+2\/2/);
  // The hints shown there are still shown.
  assert.equal(await page.locator('#hints li').count(), 2);
  await page.goForward();
  await page.locator('#course-overview').waitFor();
  await page.goForward();
  await page.locator('#lesson-view[data-lesson="emptydir-shared"]').waitFor();
  await goalsMet(3);
  assert.match(await page.inputValue('#editor'), /emptyDir: \{\}/);
  assertNoPageErrors();
});

test('chapter 3, zero-downtime: a rolling update under a client loop, and no request failed', async () => {
  await go('#/lesson/zero-downtime');
  await page.locator('#lesson-view[data-lesson="zero-downtime"]').waitFor();
  // "No request of the client failed" holds from the start; the other two do not.
  await goalsMet(1);
  // The client's requests move on the map with no command typed (its loop runs on the clock).
  await page.waitForFunction(() => document.querySelectorAll('#map-traffic circle').length >= 1, null, {
    timeout: 5_000,
  });
  const before = await runCommand(page, 'kubectl logs client --tail=3');
  assert.match(before, /Hello from web-\S+ \(10\.244\.\d+\.\d+\), version 1, path \//);
  assert.match(
    await runCommand(page, 'kubectl set image deployment/web hello=pocketcluster/hello:2'),
    /image updated/,
  );
  assert.match(await runCommand(page, 'kubectl rollout status deployment/web'), /successfully rolled out/);
  const log = await runCommand(page, 'kubectl logs client --tail=40');
  assert.match(log, /version 1/);
  assert.match(log, /version 2/);
  assert.doesNotMatch(log, /wget:/);
  await goalsMet(3);
  await page.locator('#lesson-done').waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'lesson-zero-downtime.png') });
  assertNoPageErrors();
});

test('chapter 10, ingress-routes: a second path in the Ingress, from the editor', async () => {
  await go('#/lesson/ingress-routes');
  await page.locator('#lesson-view[data-lesson="ingress-routes"]').waitFor();
  await goalsMet(0); // shop.yaml is in the editor, not applied yet.
  await page.waitForFunction(() => document.querySelector('#editor')?.value.includes('name: shop'));
  const shop = (await page.inputValue('#editor')).trimEnd() + `
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              number: 80
`;
  assert.match(await applyFromEditor(page, shop), /ingress\.networking\.k8s\.io\/shop created/);
  await runCommand(page, 'sim advance 10s');
  assert.match(await runCommand(page, "curl -s -H 'Host: shop.example.com' http://203.0.113.10/api"), /this-is-the-api/);
  await goalsMet(2);
  await page.locator('#lesson-done').waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'course-done.png') });

  // Steps: the second step is its own address, and a reload there keeps it and the world.
  await page.click('#step-next');
  await page.waitForFunction(() => location.hash === '#/lesson/ingress-routes/2');
  assert.match(await page.locator('.lesson-step-count').innerText(), /Step 2 of 2/);
  await reload();
  await page.locator('#lesson-view[data-lesson="ingress-routes"]').waitFor();
  assert.match(await page.locator('.lesson-step-count').innerText(), /Step 2 of 2/);
  await goalsMet(2);
  assertNoPageErrors();
});

test('the solution is shown and, after a confirmation, run', async () => {
  await go('#/lesson/restart-starts-clean');
  await page.locator('#lesson-view[data-lesson="restart-starts-clean"]').waitFor();
  await goalsMet(0);
  await page.click('#solution');
  assert.match(await page.locator('#solution-panel').innerText(), /sim pod crash notes/);
  await page.click('#run-solution');
  await page.click('#run-solution-confirm');
  await goalsMet(2);
  await page.locator('#lesson-done').waitFor();
  assertNoPageErrors();
});

test('the overview shows the lessons done and continues where the learner was; the sandbox', async () => {
  await go('#/course');
  await page.locator('#course-overview').waitFor();
  for (const id of ['scale', 'emptydir-shared', 'zero-downtime', 'ingress-routes', 'restart-starts-clean']) {
    assert.equal(await page.locator(`.course-item[data-lesson="${id}"]`).getAttribute('data-status'), 'done', id);
  }
  assert.equal(await page.locator('#course-done-count').innerText(), '5');
  await page.evaluate(() => document.querySelector('#lesson-pane').scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'course-overview.png') });
  await reload();
  assert.equal(await page.locator('#course-done-count').innerText(), '5');

  await page.click('.course-sandbox-link');
  await page.locator('#sandbox').waitFor();
  assert.match(await page.locator('#terminal-output').innerText(), /Sandbox: the full playground/);
  assert.match(await page.inputValue('#editor'), /kind: Pod/);
  assert.match(await runCommand(page, 'kubectl get deployments'), /No resources found/);
  // A file applied from the editor, edited, applied again: a reload replays each apply with
  // the file as it was then (the saved session is not set aside).
  const pod = await page.inputValue('#editor');
  assert.match(await applyFromEditor(page, pod), /created/);
  assert.match(await applyFromEditor(page, pod.replace('app: hello', 'app: hello\n    tier: web')), /configured/);
  await page.fill('#editor', '# edited after the last apply\n');
  await reload();
  await page.locator('#sandbox').waitFor();
  const term = await page.locator('#terminal-output').innerText();
  assert.doesNotMatch(term, /could not be restored/);
  assert.match(term, /Session restored: \d+ commands replayed/);
  assert.match(await runCommand(page, 'kubectl get pod hello --show-labels'), /tier=web/);
  assertNoPageErrors();
});
