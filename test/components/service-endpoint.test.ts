import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { Service, type ServiceArgs } from "../../components/service";
import {
  CONTAINER,
  child,
  envOf,
  expectThrowsExactly,
  freshRegistrations,
  mockImageId,
  settle,
} from "../mocks";

const REF = `ghcr.io/acme/api:1.4.2@sha256:${"ef".repeat(32)}`;
const HEALTHCHECK = { test: ["CMD", "/app/healthcheck"] };

/** An upstream `<prefix>-api` on an edge and a data network, and args for a proxy in front of it. */
function fixture(prefix: string): { api: Service; edge: Network; data: Network; proxy: ServiceArgs } {
  const image = new Image(`${prefix}-img`, { ref: REF });
  const edge = new Network(`${prefix}-edge`);
  const data = new Network(`${prefix}-data`, { internal: true, tier: "data" });
  const api = new Service(`${prefix}-api`, { image, networks: [edge, data], healthcheck: HEALTHCHECK });
  return { api, edge, data, proxy: { image, role: "proxy", healthcheck: HEALTHCHECK } };
}

describe("Service.endpoint", () => {
  beforeEach(freshRegistrations);

  it("routes a proxy to its upstream by object: network, address env and start order", async () => {
    const { api, edge, proxy } = fixture("ep");
    new Service("ep-web", { ...proxy, connections: [api.endpoint(8080, { env: "API_UPSTREAM" })] });
    await settle();

    const web = child(CONTAINER, "ep-web-0");
    expect(envOf(web)).toEqual({ secret: false, env: { API_UPSTREAM: "ep-api:8080" } });
    // It joins the upstream's first network only, never its data network.
    expect(web.inputs.networksAdvanced).toEqual([{ name: edge.dockerName, aliases: ["ep-web", "ep-web-0"] }]);
    expect(web.options.dependencies).toContain(child(CONTAINER, "ep-api-0").urn);
    expect(web.inputs.image).toBe(mockImageId(REF));
  });

  it("gives a URL with a scheme, on the network named", async () => {
    const { api, data, proxy } = fixture("ep-url");
    new Service("ep-url-web", {
      ...proxy,
      connections: [api.endpoint(9090, { env: "METRICS_URL", scheme: "http", network: data })],
    });
    await settle();

    const web = child(CONTAINER, "ep-url-web-0");
    expect(envOf(web).env).toEqual({ METRICS_URL: "http://ep-url-api:9090" });
    expect(web.inputs.networksAdvanced).toEqual([
      { name: data.dockerName, aliases: ["ep-url-web", "ep-url-web-0"] },
    ]);
  });

  it("joins a network once when the consumer is on it already", async () => {
    const { api, edge, proxy } = fixture("ep-once");
    new Service("ep-once-web", {
      ...proxy,
      networks: [edge],
      connections: [api.endpoint(8080, { env: "API_UPSTREAM" })],
    });
    await settle();

    expect(child(CONTAINER, "ep-once-web-0").inputs.networksAdvanced).toEqual([
      { name: edge.dockerName, aliases: ["ep-once-web", "ep-once-web-0"] },
    ]);
  });

  it("rejects a consumer that sets the endpoint's env itself", () => {
    const { api, proxy } = fixture("ep-dup");
    expectThrowsExactly(
      () =>
        new Service("ep-dup-web", {
          ...proxy,
          env: { API_UPSTREAM: "elsewhere:80" },
          connections: [api.endpoint(8080, { env: "API_UPSTREAM" })],
        }),
      'Service "ep-dup-web": `env` key "API_UPSTREAM" is set twice (connection to "ep-dup-api")',
    );
  });

  it.each([
    [0, "`endpoint(port)` must be an integer from 1 to 65535, got 0"],
    [65536, "`endpoint(port)` must be an integer from 1 to 65535, got 65536"],
    [80.5, "`endpoint(port)` must be an integer from 1 to 65535, got 80.5"],
  ])("rejects port %s", (port, problem) => {
    const { api } = fixture(`ep-port-${String(port).replace(".", "-")}`);
    expectThrowsExactly(
      () => api.endpoint(port, { env: "API_UPSTREAM" }),
      `Service "ep-port-${String(port).replace(".", "-")}-api": ${problem}`,
    );
  });

  it("rejects an env key that is not a variable name", () => {
    const { api } = fixture("ep-env");
    expectThrowsExactly(
      () => api.endpoint(8080, { env: "api-upstream" }),
      'Service "ep-env-api": `endpoint(env)` must be an environment variable name such as "API_UPSTREAM", got "api-upstream"',
    );
  });

  it("rejects a scheme that is not a URL scheme", () => {
    const { api } = fixture("ep-scheme");
    expectThrowsExactly(
      () => api.endpoint(8080, { env: "API_URL", scheme: "http://" }),
      'Service "ep-scheme-api": `endpoint(scheme)` must be a URL scheme such as "http", got "http://"',
    );
  });

  it("rejects a network the service is not on", () => {
    const { api } = fixture("ep-net");
    const other = new Network("ep-net-other");
    expectThrowsExactly(
      () => api.endpoint(8080, { env: "API_UPSTREAM", network: other }),
      'Service "ep-net-api": `endpoint(network)` must be a network the service joins (ep-net-edge, ep-net-data), got ep-net-other',
    );
  });
});
