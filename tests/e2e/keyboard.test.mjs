// Keyboard only: the skip link, the Tab order with a visible focus on every stop, a way out of
// the editor and the terminal (whose Tab indents or completes), applying a manifest and
// running a command without the mouse, and the splitters moved with the arrow keys, Home,
// End and Enter, kept across a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp } from './harness.mjs';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

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

/** What has the focus, in a few words, and whether a focus indicator is drawn for it. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { what: 'body', visible: false };
    const what = el.id
      ? `#${el.id}`
      : el.getAttribute('data-id') || el.getAttribute('data-split') || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30);
    const css = (e) => getComputedStyle(e);
    const ring = (e) => css(e).outlineStyle !== 'none' && parseFloat(css(e).outlineWidth) >= 2;
    let visible = ring(el);
    // The editor and the terminal draw the focus on their frame (the text sits over an overlay).
    if (el.id === 'editor') visible = css(el.closest('.code')).boxShadow !== 'none';
    if (el.id === 'terminal-input') visible = css(el.closest('.term-input-row')).boxShadow !== 'none';
    // Map elements: the box's stroke thickens.
    if (el.closest('#cluster-map')) {
      const box = el.querySelector('rect.pod-box') || el.querySelector('rect');
      visible = !!box && parseFloat(css(box).strokeWidth) >= 3;
    }
    return { what, visible, tag: el.tagName.toLowerCase() };
  });
}

async function tabUntil(page, done, max = 200, key = 'Tab') {
  const seen = [];
  for (let i = 0; i < max; i++) {
    // The editor keeps Tab for indenting: Escape first, as its hint says.
    if (seen.at(-1)?.what === '#editor') await page.keyboard.press('Escape');
    await page.keyboard.press(key);
    const f = await focused(page);
    seen.push(f);
    if (done(f)) return seen;
  }
  throw new Error(`never reached the element after ${max} presses of ${key}: ${seen.map((s) => s.what).join(', ')}`);
}

test('Tab reaches every control in page order, each with a visible focus, and the skip link', async () => {
  const page = await openApp(browser, server.url);
  await page.keyboard.press('Tab');
  let f = await focused(page);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the terminal');
  assert.ok(f.visible, 'the skip link shows its focus');
  const shown = await page.evaluate(() => document.activeElement.getBoundingClientRect().top);
  assert.ok(shown >= 0, 'the focused skip link is on screen');
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-skip-link.png') });

  // Walk the whole page.
  const stops = await tabUntil(page, (s) => s.what === '#terminal-input');
  const names = stops.map((s) => s.what);
  const order = ['#play-pause', '#step', '#lesson-pane', 'LessonCluster', 'laptop', 'ClusterWorkbench', '#editor', 'EditorTerminal', '#terminal-reset', '#terminal-output', '#terminal-input'];
  let at = -1;
  for (const want of order) {
    const i = names.indexOf(want, at + 1);
    assert.ok(i > at, `${want} comes after ${order[order.indexOf(want) - 1]} in the tab order: ${names.join(', ')}`);
    at = i;
  }
  const hidden = stops.filter((s) => !s.visible).map((s) => s.what);
  assert.deepEqual(hidden, [], `stops without a visible focus: ${hidden.join(', ')}`);

  // The skip link moves the focus to the terminal.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === '1' && document.body.dataset.engine === '1');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  f = await focused(page);
  assert.equal(f.what, '#terminal-input');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the editor and the terminal keep Tab, and Escape then Tab leaves them', async () => {
  const page = await openApp(browser, server.url);
  await page.click('#play-pause');
  await page.focus('#editor');
  await page.keyboard.press('Control+Home');
  const before = await page.inputValue('#editor');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).what, '#editor', 'Tab stays in the editor');
  assert.equal(await page.inputValue('#editor'), `  ${before}`, 'Tab indented the line');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.inputValue('#editor'), before, 'Shift+Tab outdented it');
  assert.equal((await focused(page)).what, '#editor');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  let f = await focused(page);
  assert.notEqual(f.what, '#editor', 'Escape, then Tab, left the editor');
  assert.ok(f.visible, `${f.what} shows its focus`);
  const described = await page.evaluate(() =>
    document.getElementById('editor').getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' '),
  );
  assert.match(described, /Escape, then Tab, leaves the editor/);

  await page.focus('#terminal-input');
  await page.keyboard.type('kubectl descr');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).what, '#terminal-input', 'Tab stays in the terminal');
  // The completion comes from the engine's worker: the input is marked until it is in.
  await page.waitForFunction(() => !document.querySelector('#terminal-input').hasAttribute('data-completing'));
  assert.match(await page.inputValue('#terminal-input'), /^kubectl describe ?$/, 'and completes');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  f = await focused(page);
  assert.notEqual(f.what, '#terminal-input', 'Escape, then Shift+Tab, left the terminal');
  await page.focus('#terminal-input');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  f = await focused(page);
  assert.notEqual(f.what, '#terminal-input', 'Escape, then Tab, left the terminal');
  const hint = await page.evaluate(() =>
    document.getElementById('terminal-input').getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' '),
  );
  assert.match(hint, /Escape, then Tab, leaves the terminal/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a manifest applied and a command run with the keyboard only', async () => {
  const page = await openApp(browser, server.url);
  await page.click('#play-pause');
  await page.evaluate(() => document.activeElement?.blur());
  await tabUntil(page, (s) => s.what === '#editor');
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  // Typed as a learner types it (Enter for new lines; no Tab, which would indent).
  await page.keyboard.type('apiVersion: v1\nkind: Pod\nmetadata:\n  name: typed\nspec:\n  containers:\n  - name: web\n    image: nginx:1.25\n');
  await page.keyboard.press('Control+Enter');
  await page.locator('#apply-preview').waitFor();
  assert.equal((await focused(page)).what, '#apply-confirm', 'the preview takes the focus');
  assert.match(await page.innerText('#apply-preview'), /created\s+pod\/typed/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /pod\/typed created/.test(document.querySelector('#apply-result').textContent));
  assert.equal((await focused(page)).what, '#editor', 'the focus is back in the editor');

  // Out of the editor and on to the terminal.
  await page.keyboard.press('Escape');
  await tabUntil(page, (s) => s.what === '#terminal-input', 40);
  await page.keyboard.type('sim advance 30s');
  await page.keyboard.press('Enter');
  await page.keyboard.type('kubectl get pods');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /typed\s+1\/1\s+Running/.test(document.querySelector('#terminal-output').innerText));
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-applied.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

async function splitter(page, name) {
  return page.$eval(`[data-split="${name}"]`, (el) => ({
    now: Number(el.getAttribute('aria-valuenow')),
    min: Number(el.getAttribute('aria-valuemin')),
    max: Number(el.getAttribute('aria-valuemax')),
    text: el.getAttribute('aria-valuetext'),
    orientation: el.getAttribute('aria-orientation'),
  }));
}
const width = (page, sel) => page.$eval(sel, (el) => el.getBoundingClientRect().width);
const height = (page, sel) => page.$eval(sel, (el) => el.getBoundingClientRect().height);

test('the splitters move with the arrow keys, Home, End and Enter, and are kept', async () => {
  const page = await openApp(browser, server.url);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.click('#play-pause');
  const panes = await width(page, '#panes');

  await page.evaluate(() => document.activeElement?.blur());
  await tabUntil(page, (s) => s.what === 'LessonCluster');
  let s = await splitter(page, 'LessonCluster');
  assert.equal(s.orientation, 'vertical');
  assert.equal(s.now, 27);
  const lesson = await width(page, '#lesson-pane');
  const map = await width(page, '#cluster-pane');
  const bench = await width(page, '#workbench-pane');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  s = await splitter(page, 'LessonCluster');
  assert.equal(s.now, 33);
  assert.match(s.text, /lesson 33% of the width/);
  const grown = await width(page, '#lesson-pane');
  assert.ok(Math.abs(grown - lesson - panes * 0.06) < 2, `the lesson grew by 6% of ${panes}px: ${lesson} → ${grown}`);
  assert.ok(Math.abs(await width(page, '#cluster-pane') - (map - panes * 0.06)) < 2, 'the map gave the room');
  assert.ok(Math.abs(await width(page, '#workbench-pane') - bench) < 1, 'the workbench kept its width');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await splitter(page, 'LessonCluster')).now, 31);

  // Home: the lesson's smallest usable width; End: the map's.
  await page.keyboard.press('Home');
  s = await splitter(page, 'LessonCluster');
  assert.equal(s.now, s.min);
  assert.ok(Math.abs((await width(page, '#lesson-pane')) - 220) < 2, 'Home leaves the lesson 220 px');
  await page.keyboard.press('End');
  s = await splitter(page, 'LessonCluster');
  assert.equal(s.now, s.max);
  assert.ok(Math.abs((await width(page, '#cluster-pane')) - 300) < 2, 'End leaves the map 300 px');
  await page.screenshot({ path: path.join(SHOTS, 'layout-splitter-end.png') });
  await page.keyboard.press('Enter');
  assert.equal((await splitter(page, 'LessonCluster')).now, 27, 'Enter resets');

  // The map's right edge, then the editor's bottom edge.
  await page.keyboard.press('Tab');
  await tabUntil(page, (x) => x.what === 'ClusterWorkbench');
  await page.keyboard.press('Shift+ArrowRight');
  assert.equal((await splitter(page, 'ClusterWorkbench')).now, 45);
  await tabUntil(page, (x) => x.what === '#editor');
  await page.keyboard.press('Escape');
  await tabUntil(page, (x) => x.what === 'EditorTerminal');
  s = await splitter(page, 'EditorTerminal');
  assert.equal(s.orientation, 'horizontal');
  const editor = await height(page, '#editor-box');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal((await splitter(page, 'EditorTerminal')).now, 64);
  assert.ok((await height(page, '#editor-box')) > editor + 10, 'the editor grew');
  // Left and right do nothing to a horizontal splitter.
  await page.keyboard.press('ArrowRight');
  assert.equal((await splitter(page, 'EditorTerminal')).now, 64);

  // Kept across a reload.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === '1' && document.body.dataset.engine === '1');
  assert.equal((await splitter(page, 'ClusterWorkbench')).now, 45);
  assert.equal((await splitter(page, 'EditorTerminal')).now, 64);
  assert.equal((await splitter(page, 'LessonCluster')).now, 27);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a splitter dragged with the pointer, clamped, reset by a double-click', async () => {
  const page = await openApp(browser, server.url);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.click('#play-pause');
  const box = await page.locator('[data-split="LessonCluster"]').boundingBox();
  const lesson = await width(page, '#lesson-pane');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 60, y, { steps: 4 });
  await page.mouse.move(x + 100, y, { steps: 4 });
  await page.mouse.up();
  assert.ok(Math.abs((await width(page, '#lesson-pane')) - (lesson + 100)) < 2, 'the lesson followed the pointer');
  // Far to the left: it stops at the lesson's minimum.
  const at = await page.locator('[data-split="LessonCluster"]').boundingBox();
  await page.mouse.move(at.x + 4, y);
  await page.mouse.down();
  await page.mouse.move(0, y, { steps: 6 });
  await page.mouse.up();
  assert.ok(Math.abs((await width(page, '#lesson-pane')) - 220) < 2, 'clamped at 220 px');
  // The map measured its pane again.
  const svg = await page.$eval('#cluster-map', (el) => Number(el.getAttribute('width')));
  const pane = await page.$eval('#cluster-pane', (el) => el.clientWidth);
  assert.ok(svg <= pane, `the map (${svg}) fits its wider pane (${pane})`);
  const now = await page.locator('[data-split="LessonCluster"]').boundingBox();
  await page.mouse.dblclick(now.x + 4, y);
  assert.equal((await splitter(page, 'LessonCluster')).now, 27);
  assert.deepEqual(page.errors, []);
  await page.close();
});
