import { beforeEach, describe, expect, it } from "vitest";
import { Volume } from "../../components/volume";
import {
  RANDOM_ID,
  VOLUME,
  child,
  expectThrowsExactly,
  promiseOf,
  settle,
  freshRegistrations,
} from "../mocks";

const DNS_RULE =
  "must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-')";

describe("Volume", () => {
  beforeEach(freshRegistrations);

  it("registers a local volume named after the component that is protected and retained", async () => {
    const volume = new Volume("vol-default");
    await settle();

    const registration = child(VOLUME, "vol-default");
    expect(registration.inputs).toEqual({
      name: "vol-default",
      driver: "local",
      labels: [
        { label: "shipyard.data", value: "true" },
        { label: "shipyard.volume", value: "vol-default" },
      ],
    });
    expect(registration.options).toEqual({
      protect: true,
      retainOnDelete: true,
      deleteBeforeReplace: undefined,
      replaceOnChanges: [],
      dependencies: [],
    });
    expect(registration.parent).toBe("urn:pulumi:dev::shipyard::shipyard:components:Volume::vol-default");
    expect(await promiseOf(volume.volumeName)).toBe("vol-default");
    expect([volume.dockerName, volume.retainData, volume.holdsData]).toEqual(["vol-default", true, true]);
  });

  it("neither protects nor retains a volume with retainData false", async () => {
    const volume = new Volume("vol-scratch", { retainData: false });
    await settle();

    expect(child(VOLUME, "vol-scratch").options).toEqual({
      protect: false,
      retainOnDelete: false,
      deleteBeforeReplace: undefined,
      replaceOnChanges: [],
      dependencies: [],
    });
    expect(volume.retainData).toBe(false);
  });

  it("labels a volume that holds no data, under its own Docker name with extra labels", async () => {
    const volume = new Volume("vol-cache", {
      dockerName: "shipyard-cache",
      holdsData: false,
      labels: { team: "core", "shipyard.data": "true" },
    });
    await settle();

    expect(child(VOLUME, "vol-cache").inputs).toEqual({
      name: "shipyard-cache",
      driver: "local",
      labels: [
        { label: "shipyard.data", value: "false" },
        { label: "shipyard.volume", value: "vol-cache" },
        { label: "team", value: "core" },
      ],
    });
    expect(await promiseOf(volume.volumeName)).toBe("shipyard-cache");
    expect(volume.holdsData).toBe(false);
  });

  it("names a renewed volume after a revision kept by renewWith, created before the old one goes", async () => {
    const renewed = (ref: string) =>
      new Volume(`vol-conf-${ref}`, {
        dockerName: "shipyard-conf",
        retainData: false,
        holdsData: false,
        renewWith: `neo4j:${ref}`,
      });
    const [first, upgraded] = [renewed("a"), renewed("b")];
    await settle();

    const revision = child(RANDOM_ID, "vol-conf-a-revision");
    expect(revision.inputs).toEqual({ byteLength: 4, keepers: { renewWith: "neo4j:a" } });
    expect(revision.parent).toBe("urn:pulumi:dev::shipyard::shipyard:components:Volume::vol-conf-a");
    const name = await promiseOf(first.volumeName);
    expect(name).toMatch(/^shipyard-conf-[0-9a-f]{8}$/);
    expect(child(VOLUME, "vol-conf-a").inputs.name).toBe(name);
    expect(child(VOLUME, "vol-conf-a").options).toEqual({
      protect: false,
      retainOnDelete: false,
      deleteBeforeReplace: false,
      replaceOnChanges: [],
      dependencies: [revision.urn],
    });
    expect(child(RANDOM_ID, "vol-conf-b-revision").inputs.keepers).toEqual({ renewWith: "neo4j:b" });
    expect(await promiseOf(upgraded.volumeName)).not.toBe(name);
    expect(first.dockerName).toBe("shipyard-conf");
  });

  it("rejects renewWith on a volume that retains its data", () => {
    expectThrowsExactly(
      () => new Volume("vol-kept", { renewWith: "neo4j:5" }),
      'Volume "vol-kept": `renewWith` renews the volume and removes the old one, so it needs `retainData: false`',
    );
  });

  it("rejects a component name that is not a DNS label when no dockerName is given", () => {
    expectThrowsExactly(() => new Volume("Data"), `Volume "Data": \`dockerName\` ${DNS_RULE}, got "Data"`);
  });

  it("rejects a dockerName that is not a DNS label", () => {
    expectThrowsExactly(
      () => new Volume("vol-bad", { dockerName: "pg_data" }),
      `Volume "vol-bad": \`dockerName\` ${DNS_RULE}, got "pg_data"`,
    );
  });
});
