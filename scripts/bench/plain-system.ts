import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import { builtImageName } from "../../components/build-context";
import { APP_IMAGE, benchServices } from "./shape";
import { LABEL } from "../../components/labels";

/** The files carrier's build context (an empty `FROM scratch` image), beside the components. */
const CARRIER_CONTEXT = path.resolve(__dirname, "../../components/assets/files-carrier");

const labels = (entries: Record<string, string>) =>
  Object.keys(entries)
    .sort()
    .map((label) => ({ label, value: entries[label]! }));

/**
 * The same system as {@link shipyardSystem}, written against @pulumi/docker and @pulumi/random
 * directly: every resource with the inputs and options shipyard gives it, spelled out by hand as a
 * program without components would (test/scripts/bench.test.ts checks they register the same).
 */
export function plainSystem(size: number): void {
  const network = (name: string, tier: string, internal: boolean) =>
    new docker.Network(
      name,
      {
        name,
        driver: "bridge",
        internal,
        labels: labels({ [LABEL.network]: name, [LABEL.tier]: tier }),
      },
      { deleteBeforeReplace: true },
    );
  const edge = network("edge", "edge", false);
  const data = network("data", "data", true);
  const app = new docker.RemoteImage("app", { name: APP_IMAGE, keepLocally: true });
  const carrierBuild = new docker.Image("files-carrier-build", {
    imageName: builtImageName({ context: CARRIER_CONTEXT, repository: "shipyard-files-carrier" }),
    build: { context: CARRIER_CONTEXT, dockerfile: path.join(CARRIER_CONTEXT, "Dockerfile"), args: {} },
    skipPush: true,
    buildOnPreview: false,
  });
  const carrierImage = new docker.RemoteImage("files-carrier", {
    name: carrierBuild.imageName,
    keepLocally: true,
  });

  const created = new Map<string, pulumi.Resource[]>();
  for (const s of benchServices(size)) {
    const before = s.dependsOn === undefined ? [] : created.get(s.dependsOn)!;
    const mine: pulumi.Resource[] = [];
    const mounts: docker.types.input.ContainerMount[] = [];
    const volumes: docker.types.input.ContainerVolume[] = [];
    const env = [`INDEX=${s.name.slice("svc-".length)}`];
    let first: pulumi.Resource[] = before;
    if (s.stateful) {
      const volume = new docker.Volume(
        `${s.name}-data`,
        {
          name: `${s.name}-data`,
          driver: "local",
          labels: labels({ [LABEL.data]: "true", [LABEL.volume]: `${s.name}-data` }),
        },
        { protect: true, retainOnDelete: true },
      );
      const password = new random.RandomPassword(`${s.name}-password`, { length: 32, special: false });
      const file = `/run/secrets/${s.name}-password`;
      const carrier = new docker.Container(
        `${s.name}-files`,
        {
          image: carrierImage.imageId,
          start: false,
          mustRun: false,
          networkMode: "none",
          capabilities: { drops: ["ALL"] },
          securityOpts: ["no-new-privileges:true"],
          restart: "no",
          volumes: [{ containerPath: "/run/secrets" }],
          removeVolumes: true,
          uploads: [{ file, content: password.result, owner: "10001", group: "10001", permissions: "0400" }],
          labels: labels({ [LABEL.role]: "files", [LABEL.filesFor]: s.name }),
        },
        { deleteBeforeReplace: false },
      );
      mounts.push({ type: "volume", source: volume.name, target: "/data", readOnly: false });
      volumes.push({ fromContainer: pulumi.interpolate`${carrier.id}:ro` });
      env.push(`PASSWORD_FILE=${file}`);
      mine.push(volume, password, carrier);
      first = [...before, carrier];
    }
    for (let i = 0; i < s.replicas; i++) {
      const previous = mine[mine.length - 1];
      const container = new docker.Container(
        `${s.name}-${i}`,
        {
          image: app.imageId,
          envs: env,
          user: "10001:10001",
          readOnly: true,
          tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
          capabilities: { drops: ["ALL"], adds: [] },
          securityOpts: ["no-new-privileges:true"],
          init: true,
          memory: 256,
          memorySwap: 256,
          cpus: "0.5",
          restart: "unless-stopped",
          logDriver: "json-file",
          logOpts: { "max-size": "10m", "max-file": "3" },
          healthcheck: {
            tests: ["CMD", "true"],
            interval: "10s",
            timeout: "5s",
            retries: 5,
            startPeriod: "30s",
          },
          wait: true,
          waitTimeout: 110,
          destroyGraceSeconds: 10,
          stopTimeout: 10,
          mustRun: true,
          networksAdvanced: (s.stateful ? [data] : [edge, data]).map((n) => ({
            name: n.name,
            aliases: [s.name, `${s.name}-${i}`],
          })),
          ports: [],
          mounts,
          volumes: volumes.length > 0 ? volumes : undefined,
          labels: labels({
            [LABEL.service]: s.name,
            [LABEL.role]: s.stateful ? "database" : "app",
            [LABEL.stateful]: String(s.stateful),
            [LABEL.replica]: String(i),
          }),
        },
        {
          dependsOn: i === 0 ? first : [...first, previous!],
          // A stateful container writes its volume: never two of them on it at once.
          deleteBeforeReplace: s.stateful,
          replaceOnChanges: ["mounts", "healthcheck", "tmpfs"],
        },
      );
      mine.push(container);
    }
    created.set(s.name, mine);
  }
}
