// Conformance with the graphql-ws reference client: an auditor subscribes to notificationAdded over
// graphql-transport-ws, a physician breaks the glass through a mutation over a second socket, and the alert arrives.
// Usage: node subscribe.mjs <ws-url> <auditor-token> <physician-token> <patient-id>. Prints one JSON line; exit 1 on failure.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, auditorToken, physicianToken, patientId] = process.argv.slice(2);
if (!url || !auditorToken || !physicianToken || !patientId) {
  console.error('usage: node subscribe.mjs <ws-url> <auditor-token> <physician-token> <patient-id>');
  process.exit(2);
}

// A failure guard, not a measurement: a run that hangs fails.
setTimeout(() => { console.error('timed out'); process.exit(1); }, 60_000).unref();

const connect = (token) => createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

// One result of a single-result operation.
const once = (client, request) => new Promise((resolve, reject) => {
  let result;
  client.subscribe(request, { next: (r) => { result = r; }, error: reject, complete: () => resolve(result) });
});

const auditor = connect(auditorToken);
const physician = connect(physicianToken);
try {
  const alerts = auditor.iterate({ query: 'subscription { notificationAdded { id kind payload createdAt } }' });
  const firstAlert = alerts.next();
  // The server sets a subscription up before it reads the client's next message: once this query on the same socket
  // has answered, the subscription is live.
  const viewer = await once(auditor, { query: '{ viewer { id roles } }' });
  const broken = await once(physician, {
    query: 'mutation($id: ID!, $reason: String!) { breakGlass(patientId: $id, reason: $reason) { id patientId } }',
    variables: { id: patientId, reason: 'Reference client conformance: emergency access' },
  });
  const { value } = await firstAlert;
  await alerts.return();
  console.log(JSON.stringify({ viewer, broken, alert: value }));
} catch (e) {
  console.error('failed:', e instanceof Error ? e.message : JSON.stringify(e));
  process.exitCode = 1;
} finally {
  await auditor.dispose();
  await physician.dispose();
}
