// Against a server in trusted-documents mode loaded with this client's manifest: the listed
// operations run by their ID, and anything else is refused.
// Usage: node dist/trusted.js URL
import assert from 'node:assert/strict';
import { execute, GraphQLError } from './client.js';
import { Search, TechnologyProfile } from './operations.js';

const url = process.argv[2]!;
const k8s = await execute(url, TechnologyProfile, { slug: 'kubernetes' }, 'document-id');
assert.equal(k8s.technology?.name, 'Kubernetes');
const found = await execute(url, Search, { query: 'service mesh', first: 3 }, 'document-id');
assert.ok(found.search.totalCount > 0);

// A document that is not in the manifest is refused, by text or by an unknown ID.
for (const body of [{ query: '{ trends { totalCount } }' }, { extensions: { documentId: 'sha256:' + '0'.repeat(64) } }]) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  assert.equal(res.status, 400);
  assert.ok(['TRUSTED_DOCUMENT_REQUIRED', 'PERSISTED_QUERY_NOT_FOUND'].includes(json.errors?.[0]?.extensions?.code ?? ''), JSON.stringify(json));
}
// Even a listed operation's ordinary text is refused unless it is the manifest's exact text.
await assert.rejects(execute(url, TechnologyProfile, { slug: 'kubernetes' }, 'query'), (e) => e instanceof GraphQLError && e.code === 'TRUSTED_DOCUMENT_REQUIRED');
console.log('tsclient (trusted documents): listed operations ran by ID, everything else was refused');
