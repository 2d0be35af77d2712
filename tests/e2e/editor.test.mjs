// Browser test: the manifest editor (issue 6). Type a manifest with a mistake, see it
// underlined with a did-you-mean, fix it, preview and apply with Ctrl+Enter, read kubectl's
// answer in the terminal; field docs; a template in a new tab; files kept across a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp } from './harness.mjs';

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

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  replica: 2
  selector:
    matchLabels:
      app: x
  template:
    metadata:
      labels:
        app: x
    spec:
      containers:
      - name: web
        image: nginx:latest
`;

async function shot(name) {
  await page.locator('.editor-box').screenshot({ path: path.join(SCREENSHOTS, name) });
}

test('a typo is underlined with a did-you-mean, and the fix applies with a preview', async () => {
  await page.click('#editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // Typed, as a learner would (the textarea's own input events).
  await page.keyboard.insertText(DEPLOYMENT);
  const error = page.locator('#diagnostics .diag-error').first();
  await error.waitFor({ timeout: 5_000 });
  const text = await error.innerText();
  assert.match(text, /Line 6, column 3/);
  assert.match(text, /did you mean "replicas"/);
  // The squiggle covers line 6 (in several coloured spans: key, colon, value).
  const squiggled = (await page.locator('.code-overlay .sq-error').allInnerTexts()).join('');
  assert.equal(squiggled, 'replica: 2');
  assert.match(await page.locator('#diagnostics-summary').innerText(), /1 error/);
  await shot('editor-error.png');

  // The fix: the list jumps to the line; type the missing "s".
  await page.click('#diagnostics .diag-error .diag-jump');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('s');
  await page.waitForFunction(() => document.querySelectorAll('#diagnostics .diag-error').length === 0);
  assert.match(await page.inputValue('#editor'), /replicas: 2/);

  await page.keyboard.press('Control+Enter');
  const preview = page.locator('#apply-preview');
  await preview.waitFor({ timeout: 5_000 });
  assert.match(await preview.innerText(), /created\s+deployment\.apps\/x/);
  assert.ok((await page.locator('#diagnostics .diag-hint').count()) >= 1, 'hints once the error is fixed');
  await shot('editor-preview.png');
  // Focus is on the preview's Apply button.
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () => [...document.querySelectorAll('#terminal-output .term-entry')].some(
      (e) => e.innerText.includes('kubectl apply -f pod.yaml') && e.innerText.includes('deployment.apps/x created'),
    ),
    null,
    { timeout: 5_000 },
  );
  assert.match(await page.locator('#apply-result').innerText(), /deployment\.apps\/x created/);

  // Change it: the preview shows the diff.
  await page.fill('#editor', (await page.inputValue('#editor')).replace('replicas: 2', 'replicas: 3'));
  await page.click('#apply');
  await preview.waitFor({ timeout: 5_000 });
  const diff = await preview.innerText();
  assert.match(diff, /configured/);
  assert.match(diff, /spec\.replicas\s+2\s+3/);
  await shot('editor-diff.png');
  await page.click('#apply-cancel');
  assertNoPageErrors();
});

test('Tab indents, F1 explains the field under the cursor', async () => {
  await page.fill('#editor', 'a:\nb: 1\n');
  await page.focus('#editor');
  await page.evaluate(() => document.querySelector('#editor').setSelectionRange(3, 3));
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#editor'), 'a:\n  b: 1\n');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.inputValue('#editor'), 'a:\nb: 1\n');

  await page.fill('#editor', DEPLOYMENT.replace('replica:', 'replicas:'));
  // The cursor on `image:` (line 17).
  await page.evaluate(() => {
    const el = document.querySelector('#editor');
    const at = el.value.indexOf('image:');
    el.focus();
    el.setSelectionRange(at, at);
  });
  // The field docs come from the site about a second after start-up (src/ui/lazy_data.rs);
  // until then F1 says they are loading. Ask again until they are there.
  const docs = page.locator('#field-docs');
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('F1');
    await docs.waitFor({ timeout: 5_000 });
    if (!/still loading/.test(await docs.innerText())) break;
    await page.click('.fd-close');
    await page.focus('#editor');
    await page.waitForTimeout(150);
  }
  assert.match(await docs.innerText(), /kubectl explain deployment\.spec\.template\.spec\.containers\.image/);
  assert.match(await docs.innerText(), /FIELD: image <string>/);
  await shot('editor-docs.png');
  await page.click('.fd-close');
  assertNoPageErrors();
});

test('a template opens in a tab, tabs can be renamed, and files survive a reload', async () => {
  await page.selectOption('#template-picker', 'statefulset.yaml');
  await page.waitForFunction(() => document.querySelector('.etab.active .etab-name')?.textContent === 'statefulset.yaml');
  assert.match(await page.inputValue('#editor'), /volumeClaimTemplates/);
  assert.equal(await page.locator('#diagnostics .diag').count(), 0);

  await page.click('#file-new');
  await page.click('#file-rename');
  await page.fill('#rename-input', 'setup/namespace.yaml');
  await page.press('#rename-input', 'Enter');
  await page.fill('#editor', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
  assert.equal(await page.locator('.etab').count(), 3);
  await shot('editor-tabs.png');

  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.body?.dataset.ready === '1' && document.body?.dataset.engine === '1');
  const names = await page.locator('.etab-name').allInnerTexts();
  assert.deepEqual(names, ['pod.yaml', 'statefulset.yaml', 'setup/namespace.yaml']);
  assert.match(await page.inputValue('#editor'), /name: shop/);

  // Close a tab.
  await page.click('.etab:nth-child(2) .etab-close');
  assert.deepEqual(await page.locator('.etab-name').allInnerTexts(), ['pod.yaml', 'setup/namespace.yaml']);
  assertNoPageErrors();
});

test('unreadable saved files are set aside with a message', async () => {
  await page.evaluate(() => localStorage.setItem('pocket-cluster.editor.v1', '{not json'));
  page.errors.length = 0;
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.body?.dataset.ready === '1' && document.body?.dataset.engine === '1');
  const notice = page.locator('#editor-error');
  await notice.waitFor({ state: 'visible', timeout: 5_000 });
  assert.match(await notice.innerText(), /set aside/);
  assert.equal(await page.evaluate(() => localStorage.getItem('pocket-cluster.editor.v1.unreadable')), '{not json');
  assertNoPageErrors();
});

test('the editor in the light theme', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.fill('#editor', DEPLOYMENT);
  await page.locator('#diagnostics .diag-error').first().waitFor();
  await shot('editor-light.png');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'editor-page.png') });
  assertNoPageErrors();
});
