/**
 * Container healthcheck: exits 0 when GET /health answers 200 (ok or degraded), 1 otherwise.
 * Written in Node because the alpine runtime image has neither curl nor a need for one.
 */
import { get } from "node:http";

const port = Number(process.env["PORT"] || "8080");
const request = get({ host: "127.0.0.1", port, path: "/health", timeout: 4_000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on("timeout", () => request.destroy(new Error("timeout")));
request.on("error", () => process.exit(1));
