// Runs the typed operations against a live server and checks the answers.
// Usage: node dist/main.js URL [query|apq]
import assert from 'node:assert/strict';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { execute, GraphQLError, type Mode } from './client.js';
import { Search, TechnologiesPage, TechnologyProfile } from './operations.js';

const url = process.argv[2];
const mode = (process.argv[3] ?? 'query') as Mode;
if (!url) {
  console.error('usage: node dist/main.js URL [query|apq]');
  process.exit(2);
}

const profile = await execute(url, TechnologyProfile, { slug: 'aws-lambda' }, mode);
const tech = profile.technology;
assert.ok(tech, 'AWS Lambda exists');
assert.equal(tech.name, 'AWS Lambda');
assert.equal(tech.kind, 'CLOUD_SERVICE'); // a string-literal union type, checked by tsc
assert.equal(tech.vendor?.name, 'Amazon Web Services');
assert.ok(tech.tradeoffs.nodes.some((t) => t.slug === 'cold-starts' && t.type === 'CHALLENGE'));
assert.ok(tech.relationships.totalCount > 0);

const slugs: string[] = [];
let after: string | null | undefined = null;
let total = 0;
for (;;) {
  const page: ResultOf<typeof TechnologiesPage> = await execute(url, TechnologiesPage, { filter: { kinds: ['DATABASE'] }, first: 3, after }, mode);
  total = page.technologies.totalCount;
  slugs.push(...page.technologies.nodes.map((n) => n.slug));
  if (!page.technologies.pageInfo.hasNextPage) break;
  after = page.technologies.pageInfo.endCursor;
}
assert.equal(slugs.length, total);
assert.ok(total > 3, 'more than one page of databases');

const found = await execute(url, Search, { query: 'graph database', first: 5 }, mode);
assert.ok(found.search.totalCount > 0);
assert.ok(found.search.edges.every((e) => e.score > 0));

try {
  await execute(url, TechnologyProfile, { slug: 'no-such-technology' }, mode);
  assert.fail('an unknown slug gave no error');
} catch (e) {
  assert.ok(e instanceof GraphQLError && e.code === 'NOT_FOUND', String(e));
}
console.log(`tsclient (${mode}): profile, ${slugs.length} paged databases and ${found.search.totalCount} search hits, all typed`);
