// A Chrome trace of one cold load of the built site (CDP Tracing: devtools.timeline, v8.wasm),
// until the app marks itself ready and, with --type, until a typed `kubectl get pods` is
// answered. Prints the main thread's time by event and the wasm functions compiled lazily (at
// their first call, on the main thread), by when and how long.
//
//   node scripts/trace-startup.mjs [--dist dist] [--type] [--names FILE.wasm] [--timeline]
//
// --names: a wasm with a name section that is the served one with its names kept (e.g.
// `wasm-bindgen --keep-debug`, then `wasm-opt -Oz -g`, served in place of the release wasm) to
// name the functions by index. --timeline: the main thread's busy time per 50 ms, its longest
// tasks, and when the files finished and the wasm was instantiated; with WINDOW_FROM=ms and
// WINDOW_TO=ms also every thread's time by event in that window. BENCHMARKS.md ("The page")
// has what it showed.
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
  traceConfig: { includedCategories: ['devtools.timeline', 'v8.wasm', 'v8', 'loading', 'blink.user_timing'] },
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
if (process.argv.includes('--timeline')) {
  // The main thread's busy time per 50 ms of the trace (top-level tasks), and its longest tasks.
  const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur);
  // Top-level events: not inside another event of the main thread.
  onMain.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks = [];
  let end = -1;
  for (const e of onMain) {
    if (e.ts >= end) { tasks.push(e); end = e.ts + e.dur; }
  }
  const busy = new Map();
  for (const e of tasks) {
    const w = Math.floor((e.ts - t0) / 50000) * 50;
    busy.set(w, (busy.get(w) || 0) + e.dur / 1000);
  }
  console.log('main thread busy per 50 ms: ' + [...busy].sort((a, b) => a[0] - b[0]).map(([w, v]) => `${w}:${v.toFixed(0)}`).join(' '));
  for (const e of [...tasks].sort((a, b) => b.dur - a.dur).slice(0, 10)) {
    const inside = new Map();
    for (const f of events) {
      if (f !== e && `${f.pid}:${f.tid}` === main && f.ph === 'X' && f.dur && f.ts >= e.ts && f.ts + f.dur <= e.ts + e.dur && f.name !== e.name) inside.set(f.name, (inside.get(f.name) || 0) + f.dur);
    }
    console.log(`  task at ${((e.ts - t0) / 1000).toFixed(0)} ms, ${(e.dur / 1000).toFixed(1)} ms: ${[...inside].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
  }
  const marks = events.filter((e) => /^pc:|ResourceFinish|MarkDOMContent|MarkLoad|wasm.SyncInstantiate|wasm.AsyncInstantiate|v8.wasm.compiledModule|wasm.FinishAsyncCompile|wasm.StartStreamingCompilation/.test(e.name));
  const lo = Number(process.env.WINDOW_FROM || 0), hi = Number(process.env.WINDOW_TO || 0);
  if (hi) {
    const byKey = new Map();
    for (const e of events) {
      if (e.ph !== 'X' || !e.dur) continue;
      const s = (e.ts - t0) / 1000, f = s + e.dur / 1000;
      if (f < lo || s > hi) continue;
      const k = `${`${e.pid}:${e.tid}` === main ? 'main ' : `${e.tid}`} ${e.name}`;
      const v = byKey.get(k) || [0, 1e9, 0];
      byKey.set(k, [v[0] + Math.min(f, hi) - Math.max(s, lo), Math.min(v[1], s), Math.max(v[2], f)]);
    }
    console.log(`from ${lo} to ${hi} ms, by thread and event:`);
    for (const [k, v] of [...byKey].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25)) console.log(`  ${v[0].toFixed(1).padStart(7)} ms  ${k} (${v[1].toFixed(0)}–${v[2].toFixed(0)})`);
  }
  for (const m of marks) console.log(`  ${((m.ts - t0) / 1000).toFixed(0).padStart(6)} ms  ${m.name} ${m.args?.data?.url?.split('/').pop() || ''}`);
}
await browser.close();
await server.close();
