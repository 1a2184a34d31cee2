// Follows trendgraph's change feed with the ecosystem's own clients: graphql-ws (the
// graphql-transport-ws WebSocket protocol, on the ws package) and graphql-sse (GraphQL over SSE,
// its default distinct-connections mode), against a server run with --require-auth.
// Usage: node follow.mjs http://127.0.0.1:PORT/graphql WRITE_TOKEN
// Exits non-zero on any failure.
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node follow.mjs URL WRITE_TOKEN');
  process.exit(2);
}
const wsUrl = url.replace(/^http/, 'ws');
const auth = { Authorization: `Bearer ${token}` };
const changes = 'subscription($since: Int) { changes(since: $since) { version actor reason } }';
// Every wait is bounded: a missing event fails the run instead of hanging it.
const WAIT_MS = 10_000;

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

// follow subscribes with a client and queues what arrives, so the test can wait for it.
function follow(client, variables) {
  const queue = [];
  const waiters = [];
  let ended = null;
  const push = (item) => {
    queue.push(item);
    waiters.splice(0).forEach((w) => w());
  };
  const dispose = client.subscribe({ query: changes, variables }, {
    next: (result) => push(result),
    error: (err) => { ended = { error: err }; push(null); },
    complete: () => { ended = { complete: true }; push(null); },
  });
  return {
    dispose,
    get ended() { return ended; },
    // next resolves to the next result, or rejects after WAIT_MS.
    next() {
      return new Promise((resolve, reject) => {
        const take = () => {
          if (!queue.length) return false;
          const item = queue.shift();
          if (item === null) reject(new Error(`the stream ended: ${describe(ended)}`));
          else resolve(item);
          return true;
        };
        if (take()) return;
        const timer = setTimeout(() => reject(new Error('no event in time')), WAIT_MS);
        waiters.push(() => { if (take()) clearTimeout(timer); });
      });
    },
  };
}

function describe(v) {
  if (v?.error instanceof Error) return v.error.message;
  if (v?.error && 'code' in v.error) return `close ${v.error.code} ${v.error.reason}`;
  return JSON.stringify(v);
}

// versions takes n change sets from a stream.
async function versions(stream, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await stream.next();
    if (r.errors) throw new Error(`errors: ${JSON.stringify(r.errors)}`);
    out.push(r.data.changes.version);
  }
  return out;
}

// mutate commits one change set over plain HTTP and returns its version.
let seq = 0;
async function mutate() {
  seq++;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...auth },
    body: JSON.stringify({
      query: 'mutation($slug: String!) { addSource(input: {reason: "subscriptions test", slug: $slug, title: "A source"}) { changeSet { version } } }',
      variables: { slug: `subscriptions-test-${process.pid}-${seq}` },
    }),
  });
  const body = await res.json();
  if (!res.ok || body.errors) throw new Error(`mutation: ${res.status} ${JSON.stringify(body)}`);
  return body.data.addSource.changeSet.version;
}

async function dataVersion() {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ query: '{ dataVersion }' }),
  });
  return (await res.json()).data.dataVersion;
}

const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const wsClient = (params, extra = {}) => createWsClient({
  url: wsUrl, webSocketImpl: WebSocket, connectionParams: params, lazy: true, retryAttempts: 0, ...extra,
});
const sseClient = (headers) => createSseClient({ url, headers, retryAttempts: 0 });

const clients = [];
try {
  // Two change sets to catch up on.
  const base = await dataVersion();
  const first = [await mutate(), await mutate()];

  const ws = wsClient(auth);
  const sse = sseClient(auth);
  clients.push(ws, sse);
  const viaWs = follow(ws, { since: base });
  const viaSse = follow(sse, { since: base });
  check(eq(await versions(viaWs, 2), first), `graphql-ws catches up from since: ${base} (${first})`);
  check(eq(await versions(viaSse, 2), first), `graphql-sse catches up from since: ${base} (${first})`);

  // A mutation over HTTP arrives on both, with the token's name as actor.
  const live = await mutate();
  const [a, b] = [await viaWs.next(), await viaSse.next()];
  check(a.data?.changes.version === live && a.data.changes.actor === 'writer', `graphql-ws sees the mutation live (${live})`);
  check(b.data?.changes.version === live && b.data.changes.actor === 'writer', `graphql-sse sees the mutation live (${live})`);

  // Disconnect, let changes commit meanwhile, resubscribe from the last version seen: nothing is
  // missed and nothing repeats.
  viaWs.dispose();
  viaSse.dispose();
  const missed = [await mutate(), await mutate(), await mutate()];
  const againWs = follow(ws, { since: live });
  const againSse = follow(sse, { since: live });
  check(eq(await versions(againWs, 3), missed), `graphql-ws resumes from since: ${live} with nothing missed (${missed})`);
  check(eq(await versions(againSse, 3), missed), `graphql-sse resumes from since: ${live} with nothing missed (${missed})`);
  const after = await mutate();
  check((await againWs.next()).data?.changes.version === after, 'graphql-ws follows live after resuming');
  check((await againSse.next()).data?.changes.version === after, 'graphql-sse follows live after resuming');
  againWs.dispose();
  againSse.dispose();

  // Without a token (the server requires one) both are refused: the socket with 4403 after
  // connection_init, the event stream with 401.
  const anonWs = wsClient({});
  const anonSse = sseClient({});
  clients.push(anonWs, anonSse);
  const refusedWs = follow(anonWs, {});
  const refusedSse = follow(anonSse, {});
  await refusedWs.next().catch(() => {});
  await refusedSse.next().catch(() => {});
  check(refusedWs.ended?.error?.code === 4403, `graphql-ws without a token is refused (${describe(refusedWs.ended)})`);
  check(/401/.test(refusedSse.ended?.error?.message ?? ''), `graphql-sse without a token is refused (${describe(refusedSse.ended)})`);
} catch (err) {
  check(false, `unexpected: ${err.stack ?? err}`);
} finally {
  for (const c of clients) await c.dispose();
}
console.log(failures ? `subscriptions: ${failures} failed` : 'subscriptions: all passed');
process.exit(failures ? 1 : 0);
