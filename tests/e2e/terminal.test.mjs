// The terminal in headless Chromium: Tab completion, history, Ctrl+C, Ctrl+L, the prompt,
// wrapped output that copies exactly, the session and history kept across a reload, corrupt
// saved state set aside with a message, Reset. Screenshots in dark and light.
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
  await page.addInitScript(() => {
    const items = sessionStorage.getItem('e2e-corrupt');
    if (!items) return;
    sessionStorage.removeItem('e2e-corrupt');
    for (const [key, value] of Object.entries(JSON.parse(items))) localStorage.setItem(key, value);
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function assertNoPageErrors() {
  assert.deepEqual(page.errors, [], `page errors:\n${page.errors.join('\n')}`);
}

const inputValue = () => page.inputValue('#terminal-input');

// Tab asks the engine's worker; the input is marked until the answer is in.
async function pressTab() {
  await page.press('#terminal-input', 'Tab');
  await page.waitForFunction(() => !document.querySelector('#terminal-input').hasAttribute('data-completing'));
}

async function typeAndTab(text, tabs = 1) {
  await page.fill('#terminal-input', text);
  for (let i = 0; i < tabs; i++) await pressTab();
  return inputValue();
}

// Leaving the page saves the session (pagehide), so saved state is corrupted on the way in: an
// init script writes what `corruptOnReload` stashed, before the app reads it.
async function corruptOnReload(items) {
  await page.evaluate((items) => sessionStorage.setItem('e2e-corrupt', JSON.stringify(items)), items);
}

async function reload() {
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.body?.dataset.ready === '1' && document.body?.dataset.engine === '1', null, { timeout: 15_000 });
}

const entryCount = () => page.locator('#terminal-output .term-entry').count();

test('Tab completes commands, kinds, names and flags; a second Tab lists the candidates', async () => {
  assert.equal(await typeAndTab('kub'), 'kubectl ');
  assert.equal(await typeAndTab('kubectl des'), 'kubectl describe ');
  assert.equal(await typeAndTab('kubectl get po'), 'kubectl get po ');
  assert.match(await runCommand(page, 'kubectl create deployment web --image=nginx:1.25 --replicas=3'), /deployment.apps\/web created/);
  await runCommand(page, 'sim advance 30s');
  // Three pods: the common prefix, then the list on the second Tab.
  const partial = await typeAndTab('kubectl get po ');
  assert.match(partial, /^kubectl get po web-[a-z0-9]+-$/);
  assert.equal(await page.locator('#terminal-completions').count(), 0);
  await pressTab();
  const listed = await page.locator('#terminal-completions li').allInnerTexts();
  assert.equal(listed.length, 3, listed.join(','));
  for (const name of listed) assert.ok(name.startsWith(partial.slice('kubectl get po '.length)), name);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'terminal-completion.png') });
  // Typing hides the list.
  await page.type('#terminal-input', 'x');
  assert.equal(await page.locator('#terminal-completions').count(), 0);
  assert.equal(await typeAndTab('kubectl get pods --all-n'), 'kubectl get pods --all-namespaces ');
  assert.equal(await typeAndTab('kubectl get pods -n kube-sy'), 'kubectl get pods -n kube-system ');
  assert.equal(await typeAndTab('kubectl rollout status deploy/'), 'kubectl rollout status deploy/web ');
  assert.equal(await typeAndTab('kubectl config use-context '), 'kubectl config use-context demo ');
  // The cursor in the middle: the word before it is completed, the rest kept.
  await page.fill('#terminal-input', 'kubectl get deploy w -o wide');
  await page.evaluate(() => {
    const el = document.querySelector('#terminal-input');
    el.setSelectionRange(20, 20);
  });
  await pressTab();
  assert.equal(await inputValue(), 'kubectl get deploy web -o wide');
  await page.fill('#terminal-input', '');
  assertNoPageErrors();
});

test('Up and Down walk the history; Ctrl+C cancels the line; Ctrl+L clears', async () => {
  await runCommand(page, 'kubectl get deployments');
  await runCommand(page, 'sim clock');
  await page.fill('#terminal-input', 'half typed');
  await page.press('#terminal-input', 'ArrowUp');
  assert.equal(await inputValue(), 'sim clock');
  await page.press('#terminal-input', 'ArrowUp');
  assert.equal(await inputValue(), 'kubectl get deployments');
  await page.press('#terminal-input', 'ArrowDown');
  assert.equal(await inputValue(), 'sim clock');
  await page.press('#terminal-input', 'ArrowDown');
  assert.equal(await inputValue(), 'half typed', 'the draft comes back');

  await page.fill('#terminal-input', 'kubectl delete deployment web');
  await page.press('#terminal-input', 'Control+c');
  assert.equal(await inputValue(), '');
  const last = page.locator('#terminal-output .term-entry').last();
  assert.equal(await last.locator('.term-typed').innerText(), 'kubectl delete deployment web^C');
  assert.match(await runCommand(page, 'kubectl get deploy web'), /^web\s+3\/3/m, 'the cancelled command did not run');

  assert.ok((await entryCount()) > 0);
  await page.press('#terminal-input', 'Control+l');
  assert.equal(await entryCount(), 0);
  assertNoPageErrors();
});

test('the prompt shows the context and namespace; output wraps and copies exactly', async () => {
  await runCommand(page, 'kubectl config set-context --current --namespace=kube-system');
  assert.equal((await page.locator('#terminal-prompt').innerText()).trim(), 'demo:kube-system $');
  await runCommand(page, 'kubectl config set-context --current --namespace=default');
  assert.equal((await page.locator('#terminal-prompt').innerText()).trim(), 'demo:default $');

  await runCommand(page, 'kubectl expose deployment web --port=80');
  const curl = await runCommand(page, 'kubectl exec deploy/web -- curl -s http://web/');
  assert.match(curl, /Welcome to nginx/);
  const trace = await runCommand(page, 'sim trace');
  assert.match(trace, /^ 1\. /);
  // Long lines wrap inside the pane (no horizontal scrolling), with a hanging indent.
  const box = await page.evaluate(() => {
    const list = document.querySelector('#terminal-output');
    const out = [...list.querySelectorAll('.term-output')].pop();
    const lines = [...out.querySelectorAll('.ln')];
    const tall = lines.find((l) => l.getBoundingClientRect().height > 25);
    return {
      overflow: list.scrollWidth - list.clientWidth,
      wrapped: !!tall,
      hang: tall ? getComputedStyle(tall).paddingLeft : null,
    };
  });
  assert.ok(box.overflow <= 1, `the output scrolls sideways by ${box.overflow}px`);
  assert.ok(box.wrapped, 'some trace line is long enough to wrap');
  assert.notEqual(box.hang, '0px');
  // Selecting the output gives back exactly the text printed.
  const copied = await page.evaluate(() => {
    const out = [...document.querySelectorAll('#terminal-output .term-output')].pop();
    const sel = getSelection();
    sel.selectAllChildren(out);
    const text = sel.toString();
    sel.removeAllRanges();
    return text;
  });
  assert.equal(copied, trace);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('#workbench-pane').screenshot({ path: path.join(SCREENSHOTS, 'terminal-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('#workbench-pane').screenshot({ path: path.join(SCREENSHOTS, 'terminal-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  assertNoPageErrors();
});

test('a heredoc typed line by line', async () => {
  await page.fill('#terminal-input', 'cat > note.txt <<EOF');
  await page.press('#terminal-input', 'Enter');
  assert.equal((await page.locator('#terminal-prompt').innerText()).trim(), '>');
  await page.fill('#terminal-input', 'remember the milk');
  await page.press('#terminal-input', 'Enter');
  await runCommand(page, 'EOF');
  assert.equal(await runCommand(page, 'cat note.txt'), 'remember the milk');
  assertNoPageErrors();
});

test('a reload brings back the world, the scrollback and the history', async () => {
  await runCommand(page, 'kubectl config set-context --current --namespace=kube-system');
  const before = await runCommand(page, 'kubectl get deploy web -n default');
  await reload();
  const notice = page.locator('#terminal-output .term-notice').last();
  assert.match(await notice.innerText(), /Session restored: \d+ commands replayed/);
  // The scrollback since the last clear is there again.
  const typed = await page.locator('#terminal-output .term-typed').allInnerTexts();
  assert.ok(typed.includes('kubectl get deploy web -n default'), typed.join('\n'));
  assert.ok(!typed.includes('kubectl get deployments'), 'entries before Ctrl+L stay cleared');
  assert.equal((await page.locator('#terminal-prompt').innerText()).trim(), 'demo:kube-system $');
  await page.press('#terminal-input', 'ArrowUp');
  assert.equal(await inputValue(), 'kubectl get deploy web -n default');
  assert.equal(await runCommand(page, 'cat note.txt'), 'remember the milk');
  const after = await runCommand(page, 'kubectl get deploy web -n default');
  assert.match(after, /^web\s+3\/3\s+3\s+3\s+\S+$/m);
  assert.equal(after.split('\n')[0], before.split('\n')[0]);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'terminal-restored.png') });
  assertNoPageErrors();
});

test('corrupt saved state is set aside with a message, and the world starts fresh', async () => {
  await corruptOnReload({ 'pocket-cluster.session': '{"format":1,"steps":[oops' });
  await reload();
  const notice = page.locator('#terminal-output .term-notice').last();
  assert.match(await notice.innerText(), /could not be restored.*set aside in localStorage under "pocket-cluster.session.set-aside"; this is a fresh world/s);
  assert.equal(
    await page.evaluate(() => localStorage.getItem('pocket-cluster.session.set-aside')),
    '{"format":1,"steps":[oops',
  );
  assert.match(await runCommand(page, 'kubectl get deploy -n default'), /No resources found in default namespace\./);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'terminal-set-aside.png') });
  // A log whose command now answers differently is set aside too.
  const edited = await page.evaluate(() => {
    const saved = JSON.parse(localStorage.getItem('pocket-cluster.session'));
    saved.steps.find((s) => s.run).run.digest = 12345;
    return JSON.stringify(saved);
  });
  await corruptOnReload({ 'pocket-cluster.session': edited, 'pocket-cluster.terminal': 'not json either' });
  await reload();
  const texts = await page.locator('#terminal-output .term-notice').allInnerTexts();
  assert.ok(texts.some((t) => /no longer replays the same/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /history could not be read/.test(t)), texts.join('\n'));
  assertNoPageErrors();
});

test('Reset asks first, then starts a fresh world', async () => {
  await runCommand(page, 'kubectl create deployment api --image=nginx:1.25');
  await page.click('#terminal-reset');
  assert.ok(await page.locator('#terminal-reset-cancel').evaluate((el) => el === document.activeElement));
  await page.click('#terminal-reset-cancel');
  assert.match(await runCommand(page, 'kubectl get deploy'), /^api\s/m, 'cancel keeps the world');
  await page.click('#terminal-reset');
  await page.click('#terminal-reset-confirm');
  // The engine's worker answers a moment later.
  await page.locator('#terminal-output .term-notice', { hasText: 'Started a fresh world' }).waitFor({ timeout: 5_000 });
  assert.match(await page.locator('#terminal-output .term-notice').last().innerText(), /Started a fresh world/);
  assert.match(await runCommand(page, 'kubectl get deploy'), /No resources found/);
  await reload();
  assert.match(await runCommand(page, 'kubectl get deploy'), /No resources found/, 'the reset world is what is saved');
  // The input is labelled; the output is a polite log.
  assert.equal(await page.getAttribute('#terminal-input', 'aria-label'), 'Terminal command');
  assert.equal(await page.getAttribute('#terminal-output', 'role'), 'log');
  assert.equal(await page.getAttribute('#terminal-output', 'aria-live'), 'polite');
  assertNoPageErrors();
});
