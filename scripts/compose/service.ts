import * as path from "node:path";
import { mockRemoteImageId } from "../../infra/offline";
import {
  BUILT_IMAGE,
  REMOTE_IMAGE,
  REPLICA_LABEL,
  labelMap,
  plain,
  relativeTo,
  sortedObject,
  type ComposeResource,
  type Mount,
} from "./inputs";

/** A container's image as Compose names it: the exact reference, and the build for a built one. */
export interface ImageSource {
  readonly image: string;
  readonly build?: Record<string, unknown>;
}

/** The image a container runs: the exact reference, or the build that makes it. */
export function imageIndex(resources: readonly ComposeResource[], baseDir: string): Map<string, ImageSource> {
  const builds = new Map<string, Record<string, unknown>>();
  for (const r of resources) {
    if (r.type !== BUILT_IMAGE) continue;
    const build = r.inputs.build as { context: string; dockerfile?: string; target?: string; args?: object };
    const context = relativeTo(baseDir, build.context);
    const dockerfile =
      build.dockerfile === undefined || build.dockerfile === path.join(build.context, "Dockerfile")
        ? undefined
        : path.relative(build.context, build.dockerfile);
    const args =
      build.args && Object.keys(build.args).length > 0 ? sortedObject(Object.entries(build.args)) : undefined;
    builds.set(String(r.inputs.imageName), {
      context,
      ...(dockerfile !== undefined && { dockerfile }),
      ...(build.target !== undefined && { target: build.target }),
      ...(args !== undefined && { args }),
    });
  }
  const images = new Map<string, ImageSource>();
  for (const r of resources) {
    if (r.type !== REMOTE_IMAGE) continue;
    const ref = String(plain(r.inputs.name, `image ${r.name}`));
    const build = builds.get(ref);
    images.set(mockRemoteImageId(ref), { image: ref, ...(build && { build }) });
  }
  return images;
}

/** One replica's service entry, without what only the group of replicas knows. */
export function serviceEntry(
  r: ComposeResource,
  service: string,
  replica: string,
  ctx: {
    images: Map<string, ImageSource>;
    networkKeys: Map<string, string>;
    volumeKeys: Map<string, string>;
    baseDir: string;
  },
): Record<string, unknown> {
  const input = <T>(key: string): T => plain(r.inputs[key], `${key} of ${r.name}`) as T;
  const image = ctx.images.get(input<string>("image"));
  if (image === undefined) throw new Error(`container ${r.name} runs an image no RemoteImage registered`);
  const labels = labelMap(r);
  delete labels[REPLICA_LABEL];
  const env = (input<string[] | undefined>("envs") ?? []).map((e) => [
    e.slice(0, e.indexOf("=")),
    e.slice(e.indexOf("=") + 1),
  ]);
  const healthcheck = input<
    | { tests: string[]; interval?: string; timeout?: string; retries?: number; startPeriod?: string }
    | undefined
  >("healthcheck");
  const capabilities = input<{ drops?: string[]; adds?: string[] } | undefined>("capabilities");
  const memory = input<number | undefined>("memory");
  const memorySwap = input<number | undefined>("memorySwap");
  const restart = input<string | undefined>("restart");
  const maxRetries = input<number | undefined>("maxRetryCount");
  const stopTimeout = input<number | undefined>("stopTimeout");
  const logOpts = input<Record<string, string> | undefined>("logOpts");
  const mounts = input<Mount[] | undefined>("mounts") ?? [];
  const tmpfs = input<Record<string, string> | undefined>("tmpfs") ?? {};
  const ports =
    input<{ internal: number; external?: number; ip?: string; protocol?: string }[] | undefined>("ports") ??
    [];
  const networks = input<{ name: string; aliases?: string[] }[] | undefined>("networksAdvanced") ?? [];

  // A carrier's volumes (`fromContainer`) hold the files, which Compose delivers as secrets and
  // configs; a bare `containerPath` is an anonymous volume, which Compose writes as a target alone.
  const anonymous: { type: string; target: string }[] = [];
  for (const v of input<
    { fromContainer?: string; containerPath?: string; hostPath?: string; volumeName?: string }[] | undefined
  >("volumes") ?? []) {
    if (v.fromContainer !== undefined) continue;
    if (v.containerPath === undefined || v.hostPath !== undefined || v.volumeName !== undefined)
      throw new Error(
        `container ${r.name} has a volumes entry that is neither a file carrier's nor an anonymous volume, which this renderer does not map`,
      );
    anonymous.push({ type: "volume", target: v.containerPath });
  }
  const volumes = [
    ...mounts.map((m) => {
      if (m.type !== "volume" && m.type !== "bind")
        throw new Error(`container ${r.name} has a ${m.type} mount, which this renderer does not map`);
      const source = m.type === "bind" ? relativeTo(ctx.baseDir, m.source!) : ctx.volumeKeys.get(m.source!);
      if (source === undefined)
        throw new Error(`container ${r.name} mounts volume ${m.source}, which no Volume registered`);
      return { type: m.type, source, target: m.target, ...(m.readOnly === true && { read_only: true }) };
    }),
    ...anonymous,
  ];

  const entry: Record<string, unknown> = {
    image: image.image,
    ...(image.build && { build: image.build }),
    ...(r.inputs.command !== undefined && { command: input("command") }),
    ...(r.inputs.entrypoints !== undefined && { entrypoint: input("entrypoints") }),
    ...(r.inputs.user !== undefined && { user: input("user") }),
    ...(r.inputs.init !== undefined && { init: input("init") }),
    ...(r.inputs.readOnly !== undefined && { read_only: input("readOnly") }),
    ...(Object.keys(tmpfs).length > 0 && {
      tmpfs: Object.keys(tmpfs)
        .sort()
        .map((dir) => (tmpfs[dir] ? `${dir}:${tmpfs[dir]}` : dir)),
    }),
    ...(capabilities?.drops?.length && { cap_drop: capabilities.drops }),
    ...(capabilities?.adds?.length && { cap_add: capabilities.adds }),
    ...(r.inputs.securityOpts !== undefined && { security_opt: input("securityOpts") }),
    ...(memory !== undefined && { mem_limit: `${memory}m` }),
    ...(memorySwap !== undefined && { memswap_limit: `${memorySwap}m` }),
    ...(r.inputs.cpus !== undefined && { cpus: Number(input("cpus")) }),
    ...(restart !== undefined && {
      restart: restart === "on-failure" && maxRetries ? `on-failure:${maxRetries}` : restart,
    }),
    ...(healthcheck && {
      healthcheck: {
        test: healthcheck.tests,
        ...(healthcheck.interval !== undefined && { interval: healthcheck.interval }),
        ...(healthcheck.timeout !== undefined && { timeout: healthcheck.timeout }),
        ...(healthcheck.retries !== undefined && { retries: healthcheck.retries }),
        ...(healthcheck.startPeriod !== undefined && { start_period: healthcheck.startPeriod }),
      },
    }),
    ...(stopTimeout !== undefined && { stop_grace_period: `${stopTimeout}s` }),
    ...(r.inputs.logDriver !== undefined && {
      logging: {
        driver: input("logDriver"),
        ...(logOpts && { options: sortedObject(Object.entries(logOpts)) }),
      },
    }),
    labels: sortedObject(Object.entries(labels)),
    ...(env.length > 0 && { environment: sortedObject(env as [string, string][]) }),
    ...(ports.length > 0 && {
      ports: ports.map((p) => ({
        target: p.internal,
        ...(p.external !== undefined && { published: p.external }),
        ...(p.ip !== undefined && { host_ip: p.ip }),
        protocol: p.protocol ?? "tcp",
      })),
    }),
    networks: sortedObject(
      networks.map((n) => {
        const key = ctx.networkKeys.get(n.name);
        if (key === undefined)
          throw new Error(`container ${r.name} joins network ${n.name}, which no Network registered`);
        // `<service>-<i>` names one replica; Compose cannot give replicas their own aliases.
        const aliases = (n.aliases ?? []).filter((a) => a !== `${service}-${replica}`);
        return [key, aliases.length > 0 ? { aliases } : {}];
      }),
    ),
    ...(volumes.length > 0 && { volumes }),
  };
  return entry;
}
