// Runs every graphql-http audit (the GraphQL-over-HTTP spec's MUST, SHOULD and MAY checks) against a live endpoint.
// Usage: node audit.mjs <url> <bearer-token>. Exits 1 if any audit fails.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs <url> <bearer-token>');
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
let failed = 0;
for (const r of results) {
  const ok = r.status === 'ok';
  if (!ok) failed++;
  console.log(`${ok ? 'PASS' : r.status.toUpperCase()} ${r.id} ${r.name}${ok ? '' : ' :: ' + r.reason}`);
}
console.log(`${results.length - failed} of ${results.length} audits passed`);
process.exit(failed === 0 ? 0 : 1);
