"use strict";
// Docker's healthcheck: healthy when /healthz answers 200 within the timeout.
const port = Number(process.env.PORT ?? 3000);
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.status === 200 ? 0 : 1),
  () => process.exit(1),
);
