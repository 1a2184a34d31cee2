// Proves the compatibility gate works: removing a field fails it, removing a field that was
// deprecated first passes it. Usage: node selftest.mjs (from tests/compat).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const schema = readFileSync('../../schema.graphqls', 'utf8');
const field = '  "Where it is in its life."\n  lifecycle: Lifecycle!\n';
if (!schema.includes(field)) throw new Error('selftest: Technology.lifecycle not found; update the self-test');
const dir = mkdtempSync(join(tmpdir(), 'compat-'));
const write = (name, text) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const removed = write('removed.graphqls', schema.replace(field, ''));
const deprecated = write('deprecated.graphqls', schema.replace(field, '  "Where it is in its life."\n  lifecycle: Lifecycle! @deprecated(reason: "test")\n'));

const diff = (oldFile, newFile) => {
  try {
    execFileSync('npx', ['graphql-inspector', 'diff', oldFile, newFile, '--rule', 'suppressRemovalOfDeprecatedField'], { stdio: 'pipe' });
    return 0;
  } catch (e) {
    return e.status ?? 1;
  }
};
const fails = diff('../../schema.graphqls', removed);
const passes = diff(deprecated, removed);
if (fails === 0 || passes !== 0) {
  console.error(`compat self-test failed: removing a live field exited ${fails} (want non-zero); removing a deprecated one exited ${passes} (want 0)`);
  process.exit(1);
}
console.log('compat self-test: a removed field fails the gate, a removed deprecated field passes');
