// The pictures and pages in headless Chromium (Debian's package), with every request outside
// the server refused: the radar SVG in both themes, an entity page, the explorer. Each must
// render with no outside request and no console error; a click on a blip must land on that
// entity's page, and a click on a node of the explorer must lead to its page too. Screenshots
// go to OUTDIR. The server requires a token: page loads get it as a portal's proxy would add it
// (a header on requests to /e/ and /radar/), the explorer through its #token= fragment.
// Usage: node pages.mjs URL TOKEN OUTDIR [SOURCE_ARGS] (0 when the server has no source text)
import { chromium } from 'playwright-core';

const [url, token, outDir, sourceArgs] = process.argv.slice(2);
// The server has the source text (and so excerpts) unless run.sh found none beside the checkout.
const withSource = sourceArgs !== '0';
if (!url || !token || !outDir) {
  console.error('usage: node pages.mjs URL TOKEN OUTDIR [SOURCE_ARGS]');
  process.exit(2);
}
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const outside = [];
const problems = [];
function check(ok, what) {
  if (!ok) problems.push(what);
  return ok;
}

try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.route('**/*', (route) => {
    const req = route.request();
    const u = req.url();
    if (u.startsWith('data:')) return route.continue();
    if (!u.startsWith(origin)) {
      outside.push(u);
      return route.abort();
    }
    const path = new URL(u).pathname;
    // The playground's own requests: its user would put the token in the headers editor.
    const fromPlayground = path === '/graphql' && req.frame() && new URL(req.frame().url()).pathname === '/';
    if (path.startsWith('/e/') || path.startsWith('/radar/') || fromPlayground) {
      return route.continue({ headers: { ...req.headers(), authorization: `Bearer ${token}` } });
    }
    return route.continue();
  });

  // Opens path in a new page, records its errors, and returns the page and its response.
  async function open(path, label) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const res = await page.goto(new URL(path, url).toString(), { waitUntil: 'networkidle' });
    return { page, res, errors, done: () => check(errors.length === 0, `${label}: console errors: ${errors.join(' | ')}`) };
  }

  // The radar, both themes.
  for (const theme of ['light', 'dark']) {
    const { page, res, done } = await open(`radar/backend-2026.svg?theme=${theme}`, `radar (${theme})`);
    check(res.status() === 200 && res.headers()['content-type'].startsWith('image/svg+xml'), `radar (${theme}): ${res.status()}`);
    const blips = await page.locator('a.blip').count();
    check(blips >= 100, `radar (${theme}): ${blips} blips`);
    const title = await page.locator('svg > title').textContent();
    check(title.startsWith('Backend 2026'), `radar (${theme}): title ${title}`);
    // A standalone SVG has no scrolling page to capture whole: the viewport takes its size.
    const size = await page.evaluate(() => ({ width: Math.ceil(document.documentElement.width.baseVal.value), height: Math.ceil(document.documentElement.height.baseVal.value) }));
    await page.setViewportSize(size);
    await page.screenshot({ path: `${outDir}/radar-${theme}.png` });
    if (theme === 'light') {
      // A click on the Kubernetes blip lands on its page.
      await Promise.all([page.waitForURL('**/e/technology/kubernetes'), page.click('a.blip[data-slug="kubernetes"]')]);
      check(new URL(page.url()).pathname === '/e/technology/kubernetes', `blip click landed on ${page.url()}`);
      check((await page.locator('h1').textContent()) === 'Kubernetes', 'blip click: the page is not Kubernetes’');
    }
    done();
    await page.close();
  }

  // An entity page, with the radar as an <img> and the playground link.
  {
    const { page, res, done } = await open('e/trend/microservices-architecture', 'entity page');
    check(res.status() === 200, `entity page: ${res.status()}`);
    check((await page.locator('h1').textContent()) === 'Microservices architecture', 'entity page: h1');
    for (const section of ['On the radar', 'Tradeoffs', 'Relationships', 'Sources']) {
      check(await page.locator('h2', { hasText: section }).count() === 1, `entity page: no section ${section}`);
    }
    if (withSource) check(await page.locator('blockquote').count() > 0, 'entity page: no excerpt');
    await page.screenshot({ path: `${outDir}/entity.png`, fullPage: true });
    const img = await page.evaluate(() => new Promise((resolve) => {
      const i = new Image();
      i.onload = () => resolve(i.naturalWidth);
      i.onerror = () => resolve(0);
      i.src = '../../radar/backend-2026.svg';
    }));
    check(img > 0, 'the radar does not load as an <img>');
    const id = await page.locator('#global-id').textContent();
    await Promise.all([page.waitForURL(/\?query=/), page.click('#playground-link')]);
    await page.waitForSelector('.graphiql-query-editor', { timeout: 20000 });
    await page.waitForFunction((want) => document.querySelector('.graphiql-query-editor')?.textContent.includes(want), id, { timeout: 20000 });
    done();
    await page.close();
  }

  // An unknown entity: a 404 page.
  {
    const page = await context.newPage();
    const res = await page.goto(new URL('e/technology/no-such-thing', url).toString());
    check(res.status() === 404 && (await page.locator('h1').textContent()) === 'Not found', `404 page: ${res.status()}`);
    await page.close();
  }

  // The explorer: the neighbourhood drawn, a click on a node, its page.
  {
    const { page, res, done } = await open(`explore?focus=microservices-architecture#token=${token}`, 'explorer');
    check(res.status() === 200, `explorer: ${res.status()}`);
    await page.waitForFunction(() => window.trendgraphExplorer?.cy.nodes().length > 5, null, { timeout: 20000 });
    check(!page.url().includes('token='), 'explorer: the token stayed in the address');
    const shown = () => page.evaluate(() => window.trendgraphExplorer.cy.nodes().not('.filtered').length);
    const before = await shown();
    // Hide a kind: its relationships go, and entities only they reached.
    await page.locator('#kinds input[value="HAS_BENEFIT"]').uncheck();
    const after = await shown();
    check(after < before, `explorer: hiding has_benefit left ${after} of ${before} entities`);
    await page.locator('#kinds input[value="HAS_BENEFIT"]').check();
    await page.screenshot({ path: `${outDir}/explorer.png` });
    check(await shown() === before, 'explorer: showing has_benefit again did not bring its entities back');
    // A real click on the node of the Saga pattern, then on its page's link.
    const spot = await page.evaluate(() => {
      const n = window.trendgraphExplorer.cy.nodes().filter((x) => x.data('name') === 'Saga pattern');
      const box = document.getElementById('graph').getBoundingClientRect();
      const p = n.renderedPosition();
      return { x: box.left + p.x, y: box.top + p.y };
    });
    await page.mouse.click(spot.x, spot.y);
    await page.waitForFunction(() => document.querySelector('#detail h2')?.textContent === 'Saga pattern', null, { timeout: 10000 });
    await page.click('#expand');
    await page.waitForFunction(() => window.trendgraphExplorer.cy.nodes('.expanded').length === 2, null, { timeout: 10000 });
    await Promise.all([page.waitForURL('**/e/technology/saga-pattern'), page.click('#open-page')]);
    check((await page.locator('h1').textContent()) === 'Saga pattern', 'explorer: the node did not lead to its page');
    done();
    await page.close();
  }
} catch (err) {
  problems.push(String(err));
} finally {
  await browser.close();
}
if (outside.length) problems.push(`requests outside the server: ${outside.join(', ')}`);
if (problems.length) {
  console.error('browser test of the pages failed:\n- ' + problems.join('\n- '));
  process.exit(1);
}
console.log(`browser test: the radar (both themes), an entity page and the explorer rendered offline with no console error; screenshots in ${outDir}`);
