import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ContainerResource } from "../../components/container-resource";
import { containerArgs } from "../../components/container-spec";
import { carrierArgs, carriedVolumes, serviceUploads } from "../../components/file-carrier";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { Secret } from "../../components/secret";
import { resolveServiceSpec, type ServiceArgs } from "../../components/service";
import { Volume } from "../../components/volume";
import { CONTAINER, freshRegistrations, settle } from "../mocks";

/** The @pulumi/docker version package.json pins: the provider plugin the engine loads. */
const DOCKER_PROVIDER_VERSION = "5.2.0";

/** The registration requests the SDK sends, as plain objects, by resource name. */
const requests = new Map<string, Record<string, unknown>>();

interface Request {
  getName(): string;
  toObject(): Record<string, unknown>;
}

beforeAll(async () => {
  await freshRegistrations();
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: Request, callback: unknown): Promise<void>;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    requests.set(req.getName(), req.toObject());
    return register(req, callback);
  };
});

/**
 * A service's container and its file carrier, from a spec that uses every kind of input they get:
 * secret, file, volume, port, env.
 */
function fullArgs(): { container: docker.ContainerArgs; carrier: docker.ContainerArgs } {
  const args: ServiceArgs = {
    image: new Image("cr-img", { ref: `ghcr.io/acme/api:1.0.0@sha256:${"ab".repeat(32)}` }),
    networks: [new Network("cr-net")],
    volumes: [{ volume: new Volume("cr-data"), path: "/data" }],
    secrets: [{ secret: new Secret("cr-password"), env: "PASSWORD_FILE" }],
    files: [{ path: "/etc/app/app.conf", content: "level=info\n" }],
    ports: [{ containerPort: 8080, hostPort: 18080 }],
    env: { MODE: "test", RELEASE: pulumi.output("r1") },
    healthcheck: { test: ["CMD", "/app/healthcheck"] },
    role: "app",
  };
  const spec = resolveServiceSpec("cr-svc", args);
  return {
    container: containerArgs(
      spec,
      {
        imageId: args.image.imageId,
        volumes: args.volumes ?? [],
        bindMounts: [],
        fileVolumes: carriedVolumes(pulumi.output("d".repeat(64))),
        labels: { team: "core" },
        waitForDockerHealthy: true,
      },
      0,
    ),
    carrier: carrierArgs(
      "cr-svc",
      `sha256:${"c".repeat(64)}`,
      serviceUploads(spec, args.files ?? []),
      ["/etc/app", "/run/secrets"],
      {
        team: "core",
      },
    ),
  };
}

describe("ContainerResource", () => {
  it("sends the engine the request docker.Container sends", async () => {
    const dependency = new Network("cr-dep");
    const opts = { dependsOn: [dependency], deleteBeforeReplace: true };
    // One set of args for both: the components behind them are registered once.
    const { container, carrier } = fullArgs();
    new docker.Container("cr-provider-class", container, opts);
    new ContainerResource("cr-ours", container, opts);
    new docker.Container("cr-carrier-provider-class", carrier, opts);
    new ContainerResource("cr-carrier-ours", carrier, opts);
    await settle();

    // The name differs by construction; the source position names the line that constructed it.
    const comparable = (name: string): Record<string, unknown> => {
      const request = { ...requests.get(name)! };
      delete request.name;
      delete request.sourceposition;
      return request;
    };
    const ours = comparable("cr-ours");
    expect(ours).toEqual(comparable("cr-provider-class"));
    // The comparison covered what matters: type, provider version, inputs with secrets, options.
    expect(ours.type).toBe(CONTAINER);
    expect(ours.version).toBe(DOCKER_PROVIDER_VERSION);
    expect(ours.deletebeforereplace).toBe(true);
    expect(ours.dependenciesList).toContainEqual(expect.stringContaining("Network::cr-dep"));
    // The carrier's request too; its password upload travels as a secret.
    const carried = comparable("cr-carrier-ours");
    expect(carried).toEqual(comparable("cr-carrier-provider-class"));
    expect(JSON.stringify(carried.object)).toContain(pulumi.runtime.specialSecretSig);
  });

  it("declares only what it was given, so no Output is made for unset provider properties", () => {
    const outputsOf = (resource: pulumi.CustomResource): string[] =>
      Object.keys(resource)
        .filter((k) => pulumi.Output.isInstance((resource as unknown as Record<string, unknown>)[k]))
        .sort();
    const ours = new ContainerResource("cr-declared", {
      image: `sha256:${"e".repeat(64)}`,
      name: undefined,
      user: "1000:1000",
    });
    expect(outputsOf(ours)).toEqual(["id", "image", "urn", "user"]);
    // What it saves: docker.Container declares every provider property, whatever it is given.
    expect(outputsOf(new docker.Container("cr-declared-provider", { image: "x" }))).toHaveLength(78 + 2);
  });
});
