// A Chrome trace of issue 6's frame benchmark (the setup of `bench-page.mjs --only frames`:
// 300 pods, a NodePort Service, the map's "send traffic" at 200 a second), 5 s of it once the
// packets flow. Prints the renderer main thread's time by event (scripts, timers, animation
// frames, style, layout, paint, GC) and the longest frames' contents, so a slow frame can be
// put down to what filled it.
//
//   node scripts/trace-frames.mjs [--dist dist] [--seconds 5] [--rate 200]
import { startServer, launch, openApp, runCommand } from '../tests/e2e/harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const dist = arg('dist', process.env.E2E_DIST || 'dist');
const seconds = Number(arg('seconds', '5'));
const rate = arg('rate', '200');

const server = await startServer(dist);
const browser = await launch();
const page = await openApp(browser, server.url);
for (const c of [
  'sim cluster create perf --workers 4',
  'kubectl config use-context perf',
  'kubectl create deployment web --image=nginx:1.25 --replicas=300',
  'kubectl expose deployment web --port=80 --type=NodePort',
  'sim advance 30s',
]) {
  await runCommand(page, c);
}
await page.selectOption('#traffic-rate', rate);
await page.click('#traffic-toggle');
await page.waitForTimeout(3_000);

const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
await cdp.send('Tracing.start', {
  traceConfig: {
    includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8', 'blink.user_timing'],
  },
  transferMode: 'ReportEvents',
});
const deltas = await page.evaluate(
  (ms) =>
    new Promise((resolve) => {
      const out = [];
      let last = performance.now();
      const end = last + ms;
      const frame = (t) => {
        out.push(t - last);
        last = t;
        if (t < end) requestAnimationFrame(frame);
        else resolve(out);
      };
      requestAnimationFrame((t) => {
        last = t;
        requestAnimationFrame(frame);
      });
    }),
  seconds * 1000,
);
await cdp.send('Tracing.end');
await complete;
await page.click('#traffic-toggle');

const perThread = new Map();
for (const e of events) {
  if (e.name === 'FunctionCall' || e.name === 'TimerFire' || e.name === 'FireAnimationFrame') {
    const k = `${e.pid}:${e.tid}`;
    perThread.set(k, (perThread.get(k) || 0) + 1);
  }
}
const main = [...perThread].sort((a, b) => b[1] - a[1])[0]?.[0];
const mine = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur);
const t0 = Math.min(...mine.map((e) => e.ts));
const t1 = Math.max(...mine.map((e) => e.ts + e.dur));
const byName = new Map();
for (const e of mine) byName.set(e.name, (byName.get(e.name) || 0) + e.dur);
const sorted = [...deltas].sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
console.log(`frames: ${deltas.length} in ${seconds} s, p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
console.log(`main thread ${main}, ${((t1 - t0) / 1000).toFixed(0)} ms traced; time by event (nested events counted in each):`);
for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 24)) {
  console.log(`${(v / 1000).toFixed(1).padStart(9)} ms  ${((100 * v) / (t1 - t0)).toFixed(1).padStart(5)} %  ${k}`);
}
// Top-level tasks (RunTask) longer than 12 ms, with the events inside them.
const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur > 12000).sort((a, b) => b.dur - a.dur);
console.log(`tasks over 12 ms: ${tasks.length}`);
for (const t of tasks.slice(0, 12)) {
  const inside = new Map();
  for (const e of mine) {
    if (e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.name !== 'RunTask') {
      const k = e.name === 'TimerFire' || e.name === 'FunctionCall' ? `${e.name}` : e.name;
      inside.set(k, (inside.get(k) || 0) + e.dur);
    }
  }
  const parts = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`);
  console.log(`  ${((t.ts - t0) / 1000).toFixed(0).padStart(6)} ms  ${(t.dur / 1000).toFixed(1).padStart(5)} ms: ${parts.join(', ')}`);
}
await browser.close();
await server.close();
