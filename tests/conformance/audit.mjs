// Runs the GraphQL-over-HTTP conformance audit of graphql-http against a server and fails on
// any MUST failure or SHOULD warning. Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
let failed = 0;
const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
for (const r of results) {
  counts[r.status] = (counts[r.status] ?? 0) + 1;
  if (r.status === 'ok') continue;
  const detail = r.status === 'notice' ? '' : ` — ${JSON.stringify(r.reason ?? '').slice(0, 300)}`;
  console.log(`${r.status.toUpperCase()} ${r.name}${detail}`);
  if (r.status === 'error' || r.status === 'warn') failed++;
}
console.log(`graphql-http audit: ${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors, ${counts.notice ?? 0} notices`);
process.exit(failed ? 1 : 0);
