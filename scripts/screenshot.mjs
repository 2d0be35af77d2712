// Takes the README screenshot: a pod applied from the editor, a typo'd image failing, and the
// terminal's answers. Usage: node scripts/screenshot.mjs [out.png] (after trunk build --release).
import { startServer, launch, openApp, runCommand } from '../tests/e2e/harness.mjs';

const out = process.argv[2] || 'docs/screenshot.png';
const server = await startServer();
const browser = await launch();
try {
  const page = await openApp(browser, server.url);
  await page.click('#apply');
  await runCommand(page, 'kubectl run typo --image=nginx:1.255');
  await runCommand(page, 'kubectl create deployment web --image=nginx:1.25 --replicas=3');
  await runCommand(page, 'sim advance 20s');
  await runCommand(page, 'sim node stop worker-2');
  await runCommand(page, 'sim advance 45s');
  await runCommand(page, 'kubectl get nodes');
  await runCommand(page, 'kubectl get pods -o wide');
  await page.waitForTimeout(400);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
