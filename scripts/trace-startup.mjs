// A Chrome trace of one cold load of the built site (CDP Tracing: devtools.timeline, v8.wasm),
// until the app marks itself ready and, with --type, until a typed `kubectl get pods` is
// answered. Prints the main thread's time by event and the wasm functions compiled lazily (at
// their first call, on the main thread), by when and how long.
//
//   node scripts/trace-startup.mjs [--dist dist] [--type] [--names FILE.wasm]
//
// --names: a wasm with a name section that is the served one with its names kept (e.g.
// `wasm-bindgen --keep-debug`, then `wasm-opt -Oz -g`, served in place of the release wasm) to
// name the functions by index. BENCHMARKS.md ("The page") has what it showed.
import fs from 'node:fs';
import { startServer, launch } from '../tests/e2e/harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const dist = arg('dist', process.env.E2E_DIST || 'dist');
const typeCommand = process.argv.includes('--type');
const namesFile = arg('names', '');

// Function index -> [size, name] from a wasm's name and code sections.
function wasmNames(file) {
  const buf = fs.readFileSync(file);
  let p = 8;
  let imports = 0;
  const names = new Map();
  const sizes = [];
  const leb = () => {
    let r = 0, s = 0, b;
    do { b = buf[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80);
    return r >>> 0;
  };
  while (p < buf.length) {
    const id = buf[p++];
    const len = leb();
    const end = p + len;
    if (id === 2) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 2; j++) { const l = leb(); p += l; } // module and field names
        const kind = buf[p++];
        if (kind === 0) { leb(); imports++; }
        else if (kind === 1) { p++; const f = buf[p++]; leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = buf[p++]; leb(); if (f & 1) leb(); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p++; leb(); }
      }
    } else if (id === 10) {
      const n = leb();
      for (let i = 0; i < n; i++) { const sz = leb(); sizes.push(sz); p += sz; }
    } else if (id === 0) {
      const nl = leb();
      const section = buf.subarray(p, p + nl).toString();
      p += nl;
      if (section === 'name') {
        while (p < end) {
          const sid = buf[p++];
          const sl = leb();
          const se = p + sl;
          if (sid === 1) {
            const n = leb();
            for (let i = 0; i < n; i++) {
              const idx = leb();
              const l = leb();
              names.set(idx, buf.subarray(p, p + l).toString());
              p += l;
            }
          }
          p = se;
        }
      }
    }
    p = end;
  }
  return new Map([...names].map(([i, n]) => [i, [sizes[i - imports] ?? 0, n]]));
}

const server = await startServer(dist);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
await page.addInitScript(() => {
  new MutationObserver(() => {
    if (document.body?.dataset.ready === '1' && !window.__ready) window.__ready = performance.now();
  }).observe(document, { attributes: true, subtree: true, childList: true });
});
const cdp = await context.newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
await cdp.send('Tracing.start', {
  traceConfig: { includedCategories: ['devtools.timeline', 'v8.wasm', 'v8', 'loading'] },
  transferMode: 'ReportEvents',
});
await page.goto(server.url, { waitUntil: 'commit' });
await page.waitForFunction(() => window.__ready);
let answered = null;
if (typeCommand) {
  await page.locator('#terminal-input').click();
  await page.keyboard.type('kubectl get pods');
  await page.keyboard.press('Enter');
  const t = await page.waitForFunction(() => {
    const outs = [...document.querySelectorAll('#terminal-output .term-entry')];
    const last = outs[outs.length - 1];
    const out = last?.querySelector('.term-output')?.textContent || '';
    return (last?.textContent || '').includes('kubectl get pods') && out.length > 0 ? performance.now() : null;
  }, null, { polling: 'raf' });
  answered = await t.jsonValue();
}
await page.waitForTimeout(200);
const ready = await page.evaluate(() => window.__ready);
await cdp.send('Tracing.end');
await complete;

// The renderer's main thread: where the page's scripts ran.
const perThread = new Map();
for (const e of events) {
  if (e.name === 'FunctionCall' || e.name === 'EvaluateScript') {
    const k = `${e.pid}:${e.tid}`;
    perThread.set(k, (perThread.get(k) || 0) + 1);
  }
}
const main = [...perThread].sort((a, b) => b[1] - a[1])[0]?.[0];
const t0 = Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
const byName = new Map();
for (const e of events) {
  if (e.ph !== 'X' || !e.dur) continue;
  const k = `${`${e.pid}:${e.tid}` === main ? 'main ' : 'other'} ${e.name}`;
  byName.set(k, (byName.get(k) || 0) + e.dur);
}
console.log(`ready ${ready.toFixed(0)} ms${answered ? `, answered ${answered.toFixed(0)} ms` : ''} (performance.now, traced)`);
for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
}
const names = namesFile ? wasmNames(namesFile) : new Map();
const lazy = events.filter((e) => e.name === 'wasm.CompileLazy' && e.dur);
const bytes = lazy.reduce((a, e) => a + (names.get(e.args?.func_index)?.[0] || 0), 0);
console.log(`lazy compiles: ${lazy.length} functions, ${(lazy.reduce((a, e) => a + e.dur, 0) / 1000).toFixed(0)} ms${namesFile ? `, ${bytes} bytes of code` : ''}`);
const windows = new Map();
for (const e of lazy) {
  const w = Math.floor((e.ts - t0) / 100000) * 100;
  windows.set(w, (windows.get(w) || 0) + e.dur / 1000);
}
console.log('  per 100 ms of the trace: ' + [...windows].sort((a, b) => a[0] - b[0]).map(([w, v]) => `${w}:${v.toFixed(0)}`).join(' '));
for (const e of [...lazy].sort((a, b) => b.dur - a.dur).slice(0, 25)) {
  const [size, name] = names.get(e.args?.func_index) || ['?', `function ${e.args?.func_index}`];
  console.log(`  ${((e.ts - t0) / 1000).toFixed(0).padStart(6)} ms  ${(e.dur / 1000).toFixed(1).padStart(5)} ms  ${String(size).padStart(7)} B  ${name.slice(0, 120)}`);
}
await browser.close();
await server.close();
