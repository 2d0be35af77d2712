#!/usr/bin/env node
// The engine benchmark (src/bench.rs, as `pocket-cluster bench` runs it natively) in headless
// Chromium: serves dist/ (build it first: trunk build --release), opens the page's #/bench route
// with the size given here, presses "Run benchmark", waits for the report and prints it on stdout
// (progress lines and the browser's version on stderr, as the CLI does).
//
//   node scripts/bench-browser.mjs [--nodes N] [--deployments D] [--replicas R] [--seed S]
//                                  [--ticks T] [--max-virtual SECONDS] [--full]
//                                  [--timeout SECONDS] [--quiet]
//   node scripts/bench-browser.mjs --traffic [--requests N] [--seed S] [--timeout SECONDS] [--quiet]
//
// --traffic runs the traffic benchmark (src/bench/traffic.rs, `pocket-cluster bench traffic`) on
// #/bench/traffic instead: N traced requests (default 20000) through the Kubernetes 101 gateway
// from the laptop and N from a pod; it exits 1 if the gateway's path is broken.
//
// Defaults: 1000 nodes × 100 Deployments × 10 replicas (under a minute on 2 cores). --full is the
// issue's size, 1000 × 1000 × 100 (about 30 s and 700 MB of wasm memory on 2 cores). Exits 1 if
// the page fails, the report does not come within the timeout (default 30 min, 2 h with --full)
// or the pods did not all become ready; 2 on bad arguments.
// Uses Debian's /usr/bin/chromium (or $CHROMIUM) through playwright-core; downloads nothing.
import { startServer, launch, openApp } from '../tests/e2e/harness.mjs';

const USAGE = `usage: node scripts/bench-browser.mjs [--nodes N] [--deployments D] [--replicas R]
       [--seed S] [--ticks T] [--max-virtual SECONDS] [--full] [--timeout SECONDS] [--quiet]
       node scripts/bench-browser.mjs --traffic [--requests N] [--seed S] [--timeout SECONDS] [--quiet]`;

function parseArgs(argv) {
  const traffic = argv.includes('--traffic');
  const params = traffic ? {} : { nodes: 1000, deployments: 100, replicas: 10 };
  let timeout;
  let full = false;
  let quiet = false;
  const keys = traffic
    ? ['requests', 'seed', 'timeout']
    : ['nodes', 'deployments', 'replicas', 'seed', 'ticks', 'max-virtual', 'timeout'];
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s);
    if (flag === '--traffic') continue;
    if (flag === '--full') {
      full = true;
      continue;
    }
    if (flag === '--quiet') {
      quiet = true;
      continue;
    }
    if (flag === '-h' || flag === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    const key = flag.replace(/^--/, '');
    if (!keys.includes(key)) {
      throw new Error(`unknown option ${flag}`);
    }
    if (value === undefined) value = argv[++i];
    if (!/^\d+$/.test(value ?? '')) throw new Error(`${flag} needs a whole number`);
    if (key === 'timeout') timeout = Number(value);
    else params[key] = Number(value);
  }
  if (full && traffic) throw new Error('--full is for the engine benchmark');
  if (full) Object.assign(params, { nodes: 1000, deployments: 1000, replicas: 100 });
  return { params, timeoutS: timeout ?? (full ? 7_200 : 1_800), quiet, traffic };
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench-browser: ${err.message}\n${USAGE}`);
    return 2;
  }
  const { params, timeoutS, quiet, traffic } = args;
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  // Cross-origin isolation (everything is same-origin) gives performance.now() 5 µs resolution
  // in Chromium instead of 100 µs.
  const server = await startServer(undefined, {
    headers: {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    },
  });
  const browser = await launch();
  try {
    const route = `#/bench${traffic ? '/traffic' : ''}?${query}`;
    const page = await openApp(browser, server.url + route);
    const [ua, isolated] = await page.evaluate(() => [navigator.userAgent, crossOriginIsolated]);
    console.error(`bench-browser: Chromium ${browser.version()} (headless), ${ua}`);
    console.error(`bench-browser: cross-origin isolated: ${isolated}`);
    console.error(`bench-browser: ${server.url}${route}`);
    if (!quiet) {
      page.on('console', (msg) => {
        if (msg.type() === 'log' && msg.text().startsWith('  t+')) console.error(msg.text());
      });
    }
    const bad = page.locator('#bench-errors');
    if (await bad.count()) {
      console.error(`bench-browser: the page refuses the parameters: ${await bad.innerText()}`);
      return 2;
    }

    // A panic in the engine shows up as a page error (console_error_panic_hook): stop waiting then.
    const failed = new Promise((_, reject) => {
      const check = () => page.errors.length && reject(new Error(page.errors.join('\n')));
      page.on('pageerror', check);
      page.on('console', check);
      page.on('crash', () => reject(new Error('the page crashed (out of memory?)')));
    });
    failed.catch(() => {}); // checked once more after the report
    const started = Date.now();
    const report = page.locator('#bench-report');
    // The click is acknowledged only when the page is free again, that is after the run.
    const clickAndWait = async () => {
      await page.click('#bench-run', { timeout: timeoutS * 1000 });
      const left = Math.max(1, timeoutS * 1000 - (Date.now() - started));
      await report.waitFor({ state: 'attached', timeout: left });
    };
    await Promise.race([clickAndWait(), failed]);
    const text = await report.innerText();
    const ok = (await report.getAttribute(traffic ? 'data-ok' : 'data-converged')) === 'true';
    console.error(`bench-browser: report after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    if (page.errors.length) {
      console.error(`bench-browser: page errors:\n${page.errors.join('\n')}`);
      return 1;
    }
    if (!ok) {
      console.error(traffic ? "bench-browser: the gateway's path is broken" : 'bench-browser: not every pod became ready');
      return 1;
    }
    if (traffic && !quiet) {
      const trace = await page.locator('#bench-trace').textContent();
      console.error(`bench-browser: the first request's trace\n${trace}`);
    }
    return 0;
  } catch (err) {
    console.error(`bench-browser: ${err.message}`);
    return 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

process.exitCode = await main();
