// Talks to trendgraph's MCP server with the ecosystem's own client, the TypeScript SDK
// (@modelcontextprotocol/sdk): over stdio, starting `trendgraph mcp` as a subprocess, and over
// streamable HTTP to /mcp of a server run with --require-auth. The SDK validates each tool's
// structured result against the output schema the tool declares.
// Usage: node client.mjs BINARY DB SOURCE|- URL READ_TOKEN WRITE_TOKEN
// Exits non-zero on any failure.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [binary, db, source, url, readToken, writeToken] = process.argv.slice(2);
if (!writeToken) {
  console.error('usage: node client.mjs BINARY DB SOURCE|- URL READ_TOKEN WRITE_TOKEN');
  process.exit(2);
}
const withSource = source !== '-';

let failures = 0;
function check(ok, what, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) {
    failures++;
    if (detail !== undefined) console.log(`     ${JSON.stringify(detail).slice(0, 500)}`);
  }
}

const readTools = ['changes', 'compare', 'entity', 'graphql', 'neighborhood', 'path', 'radar', 'search'];
const curationTools = ['archive_entity', 'assess', 'create_entity', 'relate', 'revert', 'update_entity'];

async function connect(transport) {
  const client = new Client({ name: 'trendgraph-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function textOf(result) {
  return result.content?.find((c) => c.type === 'text')?.text ?? '';
}

// exercise lists and calls every read tool, reads each kind of resource and gets every prompt.
async function exercise(client, how) {
  const info = client.getServerVersion();
  check(info?.name === 'trendgraph', `${how}: the server names itself`, info);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  check(JSON.stringify(names) === JSON.stringify(readTools), `${how}: lists the read tools`, names);
  check(tools.every((t) => t.inputSchema?.type === 'object' && t.outputSchema?.type === 'object' && t.description),
    `${how}: every tool has a description and input and output schemas`);

  const search = await client.callTool({ name: 'search', arguments: { query: 'aws lambda', first: 5 } });
  check(!search.isError && search.structuredContent?.results?.some((r) => r.slug === 'aws-lambda'),
    `${how}: search finds AWS Lambda`, search);

  const entity = await client.callTool({ name: 'entity', arguments: { slug: 'aws-lambda' } });
  const lambda = entity.structuredContent;
  check(!entity.isError && lambda?.name === 'AWS Lambda' && lambda.challenges?.length > 0 && lambda.citations?.length > 0,
    `${how}: entity gives AWS Lambda with its challenges and citations`, entity);
  check(textOf(entity).includes('¶'), `${how}: entity's text form cites section and paragraph`, textOf(entity));
  if (withSource) {
    check(lambda?.citations?.every((c) => c.excerpt), `${how}: every citation carries its passage`, lambda?.citations);
  }

  const path = await client.callTool({ name: 'path', arguments: { from: 'aws-lambda', to: 'serverless-computing' } });
  check(path.structuredContent?.found === true && path.structuredContent.steps.length > 0, `${how}: path joins AWS Lambda to serverless`, path);

  const near = await client.callTool({ name: 'neighborhood', arguments: { slug: 'aws-lambda', limit: 5 } });
  check(near.structuredContent?.entities?.length > 0 && near.structuredContent.entities.length <= 5, `${how}: neighborhood`, near);

  const cmp = await client.callTool({ name: 'compare', arguments: { slugs: ['aws-lambda', 'azure-functions'] } });
  check(cmp.structuredContent?.entities?.length === 2, `${how}: compare`, cmp);

  const radar = await client.callTool({ name: 'radar', arguments: { slug: 'backend-2026' } });
  check(radar.structuredContent?.entries?.length > 0, `${how}: radar`, radar);

  const changes = await client.callTool({ name: 'changes', arguments: {} });
  check(changes.structuredContent?.dataVersion >= 1, `${how}: changes`, changes);

  const gql = await client.callTool({ name: 'graphql', arguments: {
    query: 'query($s: String!) { technology(slug: $s) { name kind } }', variables: { s: 'go' } } });
  check(!gql.isError && gql.structuredContent?.data?.technology?.kind === 'LANGUAGE', `${how}: graphql runs a query`, gql);
  const mutation = await client.callTool({ name: 'graphql', arguments: {
    query: 'mutation { archiveEntity(input: {slug: "go", revision: 1, reason: "x"}) { clientMutationId } }' } });
  check(mutation.isError && textOf(mutation).startsWith('METHOD_NOT_ALLOWED: '), `${how}: graphql refuses a mutation`, mutation);

  // Errors are tool errors with the API's codes, and the session goes on.
  const missing = await client.callTool({ name: 'entity', arguments: { slug: 'no-such-thing' } });
  check(missing.isError && textOf(missing).startsWith('NOT_FOUND: '), `${how}: a missing entity is NOT_FOUND`, missing);
  const tooDeep = await client.callTool({ name: 'path', arguments: { from: 'go', to: 'aws-lambda', maxDepth: 99 } });
  check(tooDeep.isError && textOf(tooDeep).startsWith('BAD_USER_INPUT: '), `${how}: an out-of-bounds argument is BAD_USER_INPUT`, tooDeep);
  let refused = false;
  try {
    const wrong = await client.callTool({ name: 'search', arguments: { query: 5 } });
    refused = wrong.isError === true;
  } catch {
    refused = true;
  }
  check(refused, `${how}: an argument of the wrong type is refused`);

  const { resources } = await client.listResources();
  check(resources.some((r) => r.uri === 'trendgraph://schema.graphql') && resources.some((r) => r.uri.startsWith('trendgraph://radar/')),
    `${how}: lists the schema and radar resources`, resources.map((r) => r.uri));
  const schema = await client.readResource({ uri: 'trendgraph://schema.graphql' });
  check(schema.contents[0]?.text?.includes('type Query'), `${how}: reads the schema`);
  const radarJSON = await client.readResource({ uri: 'trendgraph://radar/backend-2026' });
  check(JSON.parse(radarJSON.contents[0]?.text ?? '{}') !== null, `${how}: reads a radar as JSON`);
  const { resourceTemplates } = await client.listResourceTemplates();
  check(resourceTemplates.some((t) => t.uriTemplate.startsWith('trendgraph://passage/')), `${how}: lists the passage template`, resourceTemplates);
  if (withSource) {
    const cite = lambda.citations[0];
    const passage = await client.readResource({ uri: cite.uri });
    check(passage.contents[0]?.text === cite.excerpt, `${how}: a cited passage reads as its excerpt`, passage);
  }

  const { prompts } = await client.listPrompts();
  check(prompts.length === 3, `${how}: lists three prompts`, prompts.map((p) => p.name));
  for (const p of prompts) {
    const args = Object.fromEntries((p.arguments ?? []).map((a) => [a.name, a.name === 'tradeoff' ? 'cold-starts' : 'aws-lambda']));
    const got = await client.getPrompt({ name: p.name, arguments: args });
    check(got.messages?.length > 0, `${how}: gets prompt ${p.name}`, got);
  }
}

function httpTransport(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
}

// stdio: the assistant starts trendgraph mcp itself.
const args = ['mcp', '--db', db, '--source', withSource ? source : ''];
const stdio = await connect(new StdioClientTransport({ command: binary, args, stderr: 'inherit' }));
await exercise(stdio, 'stdio');
await stdio.close();

// streamable HTTP, behind the API's tokens.
let anonymous = false;
try {
  await connect(httpTransport(null));
  anonymous = true;
} catch {
  // refused: --require-auth
}
check(!anonymous, 'http: no session without a token under --require-auth');
const reader = await connect(httpTransport(readToken));
await exercise(reader, 'http');
await reader.close();

// A write token adds the curation tools, which change the graph as mutations do.
const writer = await connect(httpTransport(writeToken));
const { tools } = await writer.listTools();
const names = tools.map((t) => t.name);
check(curationTools.every((n) => names.includes(n)), 'http: a write token lists the curation tools', names);
const update = await writer.callTool({ name: 'update_entity',
  arguments: { slug: 'go', revision: 1, summary: 'A compiled language from Google, common in cloud-native services.', reason: 'mcp test' } });
check(!update.isError && update.structuredContent?.actor === 'curator', 'http: update_entity changes the graph as the token\'s owner', update);
const after = await writer.callTool({ name: 'graphql', arguments: {
  query: '{ technology(slug: "go") { summary revision history(first: 1) { edges { node { changeSet { actor reason } } } } } }' } });
const go = after.structuredContent?.data?.technology;
check(go?.revision === 2 && go.summary.startsWith('A compiled language') && go.history?.edges?.[0]?.node?.changeSet?.reason === 'mcp test',
  'http: the change is in the graph and its history', after);
const stale = await writer.callTool({ name: 'update_entity', arguments: { slug: 'go', revision: 1, name: 'Stale', reason: 'late' } });
check(stale.isError && textOf(stale).startsWith('CONFLICT: '), 'http: a stale revision is a CONFLICT', stale);
await writer.close();

console.log(failures === 0 ? 'all MCP checks passed' : `${failures} MCP check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
