// Loads the trendgraph playground in headless Chromium (Debian's package) with every request
// outside the server refused, runs the default query by clicking GraphiQL's run button, checks
// that the result appears, and saves a screenshot. Usage: node playground.mjs URL OUT.png
import { chromium } from 'playwright-core';

const [url, shot] = process.argv.slice(2);
if (!url || !shot) {
  console.error('usage: node playground.mjs URL OUT.png');
  process.exit(2);
}
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const outside = [];
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // The network is closed: anything not to the server itself is refused and recorded.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  await page.click('.graphiql-execute-button');
  // The result pane shows the response: wait for a field of the default query to appear.
  await page.waitForFunction(
    () => (document.querySelector('.result-window')?.textContent ?? '').includes('"totalCount"'),
    null, { timeout: 20000 });
  const result = await page.textContent('.result-window');
  await page.screenshot({ path: shot, fullPage: true });
  if (!result.includes('"technologies"') || result.includes('"errors"')) {
    console.error('unexpected result:', result.slice(0, 500));
    failed = true;
  }
  if (outside.length) {
    console.error('the playground tried to reach outside the server:', outside);
    failed = true;
  }
  if (consoleErrors.length) {
    console.error('page errors:', consoleErrors);
    failed = true;
  }
  console.log(`browser test: the playground ran its query (${result.length} characters of result); screenshot at ${shot}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
