// The layout at 375×667, 768×1024, 1280×720 and 1920×1080: side by side with splitters from
// 900 px wide (nothing scrolls but the panes), stacked below (lesson, map, workbench; the page
// scrolls down, never sideways; a bar of links to the panes; touch-size targets).
// Screenshots of each in tests/e2e/screenshots/layout-WxH.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openApp, runCommand, applyFromEditor } from './harness.mjs';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
  - name: web
    image: nginx:1.25
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

async function geometry(page) {
  return page.evaluate(() => {
    const r = (sel) => {
      const b = document.querySelector(sel).getBoundingClientRect();
      return { left: b.left, right: b.right, top: b.top + scrollY, bottom: b.bottom + scrollY, width: b.width, height: b.height };
    };
    const de = document.documentElement;
    return {
      lesson: r('#lesson-pane'),
      map: r('#cluster-pane'),
      bench: r('#workbench-pane'),
      scrollWidth: de.scrollWidth,
      scrollHeight: de.scrollHeight,
      innerWidth,
      innerHeight,
      splitters: [...document.querySelectorAll('.splitter')].filter((s) => s.getBoundingClientRect().width > 0).length,
      nav: getComputedStyle(document.querySelector('.pane-nav')).display !== 'none',
      // Anything wider than the window (what would make the page scroll sideways).
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => {
          const b = e.getBoundingClientRect();
          return b.width > 0 && (b.right > innerWidth + 0.5 || b.left < -0.5) && !e.closest('.map-scroll, .describe, .lesson pre, .term-output-list, .code, .skip-link, .visually-hidden');
        })
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`),
      small: [...document.querySelectorAll('button, select, input[type="text"], .pane-nav a')]
        .filter((e) => {
          const b = e.getBoundingClientRect();
          return b.width > 0 && b.height > 0 && b.height < 43.5;
        })
        .slice(0, 5)
        .map((e) => e.id || e.getAttribute('aria-label') || e.textContent.trim().slice(0, 20)),
    };
  });
}

for (const [w, h] of [
  [1920, 1080],
  [1280, 720],
]) {
  test(`${w}×${h}: three panes side by side, splitters between, nothing scrolls but the panes`, async () => {
    const page = await openApp(browser, server.url);
    await page.setViewportSize({ width: w, height: h });
    await page.click('#play-pause');
    await applyFromEditor(page, POD);
    await runCommand(page, 'sim advance 30s');
    await runCommand(page, 'kubectl get pods -o wide');
    const g = await geometry(page);
    assert.ok(g.lesson.right <= g.map.left && g.map.right <= g.bench.left, 'lesson | map | workbench');
    assert.ok(Math.abs(g.lesson.top - g.map.top) < 1 && Math.abs(g.map.top - g.bench.top) < 1);
    assert.equal(g.splitters, 3);
    assert.equal(g.nav, false, 'no pane links beside each other');
    assert.ok(g.scrollWidth <= w, `no sideways scroll (${g.scrollWidth} > ${w})`);
    assert.ok(g.scrollHeight <= h, `no page scroll (${g.scrollHeight} > ${h})`);
    assert.ok(Math.abs(g.bench.bottom - h) < 1, 'the panes reach the bottom');
    assert.ok(g.lesson.width >= 220 && g.map.width >= 300 && g.bench.width >= 340);
    // The terminal's input line is in view without scrolling the workbench.
    const input = await page.$eval('#terminal-input', (e) => e.getBoundingClientRect().bottom);
    assert.ok(input <= h, `the terminal's input is in view (${input} > ${h})`);
    await page.screenshot({ path: path.join(SHOTS, `layout-${w}x${h}.png`) });
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

for (const [w, h] of [
  [768, 1024],
  [375, 667],
]) {
  test(`${w}×${h}: stacked, no sideways scroll, pane links, touch-size targets`, async () => {
    const page = await openApp(browser, server.url);
    await page.setViewportSize({ width: w, height: h });
    await page.click('#play-pause');
    await applyFromEditor(page, POD);
    await runCommand(page, 'sim advance 30s');
    await runCommand(page, 'kubectl get pods -o wide');
    const g = await geometry(page);
    assert.ok(g.lesson.bottom <= g.map.top + 1 && g.map.bottom <= g.bench.top + 1, 'lesson, then map, then workbench');
    for (const p of [g.lesson, g.map, g.bench]) assert.ok(p.width <= w && p.left >= 0, 'each pane as wide as the page at most');
    assert.equal(g.splitters, 0, 'no splitters when stacked');
    assert.ok(g.nav, 'the pane links are shown');
    assert.ok(g.scrollWidth <= w, `no sideways scroll (${g.scrollWidth} > ${w})`);
    assert.deepEqual(g.wide, [], 'nothing sticks out of the page');
    assert.deepEqual(g.small, [], 'targets at least 44 px high');
    await page.screenshot({ path: path.join(SHOTS, `layout-${w}x${h}.png`) });
    await page.screenshot({ path: path.join(SHOTS, `layout-${w}x${h}-full.png`), fullPage: true });

    // The pane links: Terminal moves the focus to the input and keeps the bar in view.
    await page.click('.pane-nav a:has-text("Terminal")');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'terminal-input');
    const nav = await page.$eval('.pane-nav', (e) => e.getBoundingClientRect().top);
    assert.ok(Math.abs(nav) < 1, 'the bar sticks to the top');
    await page.click('.pane-nav a:has-text("Map")');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'cluster-pane');
    const top = await page.$eval('#cluster-pane', (e) => e.getBoundingClientRect().top);
    assert.ok(top >= 40 && top < 60, `the map starts under the bar (${top})`);
    await page.screenshot({ path: path.join(SHOTS, `layout-${w}x${h}-map.png`) });
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
