// Loads the trendgraph playground in headless Chromium (Debian's package) with every request
// outside the server refused, at 1280 px wide: checks that it is called trendgraph and shows
// the schema's description, that the welcome hint reads whole, runs the default query by
// clicking GraphiQL's run button, checks that its first answer shows tradeoffs with a rationale
// and cited passages, and saves a screenshot. Usage: node playground.mjs URL OUT.png
// With --trusted-only as a third argument, it checks instead that the page says the server runs
// only listed documents.
import { chromium } from 'playwright-core';

const [url, shot, mode] = process.argv.slice(2);
// NO_SOURCE=1: the server has no source text (no shared/ beside the checkout), so no excerpts.
const withSource = process.env.NO_SOURCE !== '1';
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
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
  const header = await page.textContent('#about');
  if (!header.includes('trendgraph') || !header.includes('knowledge graph of backend-development trends')) {
    console.error('the page header does not name trendgraph with the schema description:', header);
    failed = true;
  }
  let result = '';
  if (mode === '--trusted-only') {
    const text = await page.textContent('#graphiql');
    if (!text.includes('runs only listed documents') || await page.$('.graphiql-execute-button')) {
      console.error('under --trusted-only the page does not say the server runs only listed documents:', text.slice(0, 300));
      failed = true;
    }
    await page.screenshot({ path: shot });
  } else {
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
    const logo = await page.textContent('.graphiql-logo');
    if (logo.trim() !== 'trendgraph') {
      console.error('the playground is not called trendgraph:', logo);
      failed = true;
    }
    // Every line of the default query, its welcome hint first, reads whole in the editor at
    // this width: none runs past the editor's visible width.
    const lines = await page.$$eval('.graphiql-query-editor .CodeMirror-line', (lines) => {
      const scroll = document.querySelector('.graphiql-query-editor .CodeMirror-scroll').getBoundingClientRect();
      return lines.map((l) => ({ text: l.textContent, cut: l.firstElementChild.getBoundingClientRect().right > scroll.right }));
    });
    if (!lines[0]?.text.startsWith('# trendgraph') || lines.some((l) => l.cut)) {
      console.error('the default query does not read whole at 1280 px:', lines.filter((l) => l.cut));
      failed = true;
    }
    // The answer as the browser received it (the result pane only renders what is in view).
    const answer = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST' &&
      (r.request().postData() ?? '').includes('WhatAWSLambdaCosts'));
    await page.click('.graphiql-execute-button');
    const body = await (await answer).text();
    // The result pane shows the response: wait for a field of the default query to appear.
    await page.waitForFunction(
      () => (document.querySelector('.result-window')?.textContent ?? '').includes('"challenges"'),
      null, { timeout: 20000 });
    result = await page.textContent('.result-window');
    await page.screenshot({ path: shot, fullPage: true });
    // What sets trendgraph apart, in its first answer: tradeoffs, a mitigation's rationale, and
    // the cited passage's text.
    if (!result.includes('"mitigations"') || !/"rationale":"[^"]/.test(body) || (withSource && !/"excerpt":"[^"]/.test(body)) ||
        body.includes('"errors"')) {
      console.error('unexpected result:', body.slice(0, 500));
      failed = true;
    }
  }
  if (outside.length) {
    console.error('the playground tried to reach outside the server:', outside);
    failed = true;
  }
  if (consoleErrors.length) {
    console.error('page errors:', consoleErrors);
    failed = true;
  }
  console.log(mode === '--trusted-only' ? `browser test: the --trusted-only playground says so; screenshot at ${shot}`
    : `browser test: the playground ran its query (${result.length} characters of result); screenshot at ${shot}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
