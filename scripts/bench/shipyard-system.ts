import { FILES_CARRIER_BUILD } from "../../components/file-carrier";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { Secret } from "../../components/secret";
import { Service } from "../../components/service";
import { Volume } from "../../components/volume";
import { APP_IMAGE, benchServices } from "./shape";

/** The generated system through shipyard's components, as stacks/system.ts composes them. */
export function shipyardSystem(size: number): void {
  const edge = new Network("edge", { tier: "edge" });
  const data = new Network("data", { tier: "data", internal: true });
  const image = new Image("app", { ref: APP_IMAGE });
  // One carrier image for every service's files, as the reference system builds it.
  const filesImage = new Image("files-carrier", { build: FILES_CARRIER_BUILD });
  const services = new Map<string, Service>();
  for (const s of benchServices(size)) {
    services.set(
      s.name,
      new Service(s.name, {
        image,
        filesImage,
        role: s.stateful ? "database" : "app",
        networks: s.stateful ? [data] : [edge, data],
        volumes: s.stateful ? [{ volume: new Volume(`${s.name}-data`), path: "/data" }] : [],
        secrets: s.stateful ? [{ secret: new Secret(`${s.name}-password`), env: "PASSWORD_FILE" }] : [],
        env: { INDEX: s.name.slice("svc-".length) },
        dependsOn: s.dependsOn === undefined ? [] : [services.get(s.dependsOn)!],
        healthcheck: { test: ["CMD", "true"] },
        replicas: s.replicas,
      }),
    );
  }
}
