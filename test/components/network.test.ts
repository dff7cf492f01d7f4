import { beforeEach, describe, expect, it } from "vitest";
import { Network } from "../../components/network";
import { NETWORK, child, expectThrowsExactly, promiseOf, settle, freshRegistrations } from "../mocks";

const DNS_RULE =
  "must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-')";

describe("Network", () => {
  beforeEach(freshRegistrations);

  it("registers a bridge network named after the component, replaced delete-first", async () => {
    const network = new Network("net-default");
    await settle();

    const registration = child(NETWORK, "net-default");
    expect(registration.inputs).toEqual({
      name: "net-default",
      driver: "bridge",
      internal: false,
      labels: [
        { label: "shipyard.network", value: "net-default" },
        { label: "shipyard.tier", value: "app" },
      ],
    });
    expect(registration.options).toEqual({
      protect: false,
      retainOnDelete: false,
      deleteBeforeReplace: true,
      dependencies: [],
      replaceOnChanges: [],
    });
    expect(registration.parent).toBe("urn:pulumi:dev::shipyard::shipyard:components:Network::net-default");
    expect(await promiseOf(network.networkName)).toBe("net-default");
    expect([network.dockerName, network.internal, network.tier, network.target]).toEqual([
      "net-default",
      false,
      "app",
      "container",
    ]);
  });

  it("registers an internal data-tier network under its own Docker name with extra labels", async () => {
    const network = new Network("net-data", {
      dockerName: "shipyard-data",
      internal: true,
      tier: "data",
      labels: { team: "core", "shipyard.tier": "spoofed" },
    });
    await settle();

    expect(child(NETWORK, "net-data").inputs).toEqual({
      name: "shipyard-data",
      driver: "bridge",
      internal: true,
      labels: [
        { label: "shipyard.network", value: "net-data" },
        { label: "shipyard.tier", value: "data" },
        { label: "team", value: "core" },
      ],
    });
    expect(await promiseOf(network.networkName)).toBe("shipyard-data");
    expect([network.dockerName, network.internal, network.tier]).toEqual(["shipyard-data", true, "data"]);
  });

  it("registers an attachable overlay network on the swarm target", async () => {
    const network = new Network("net-swarm", { target: "swarm" });
    await settle();

    expect(child(NETWORK, "net-swarm").inputs).toEqual({
      name: "net-swarm",
      driver: "overlay",
      attachable: true,
      internal: false,
      labels: [
        { label: "shipyard.network", value: "net-swarm" },
        { label: "shipyard.tier", value: "app" },
      ],
    });
    expect(network.target).toBe("swarm");
  });

  it("rejects a component name that is not a DNS label when no dockerName is given", () => {
    expectThrowsExactly(
      () => new Network("Net_1"),
      `Network "Net_1": \`dockerName\` ${DNS_RULE}, got "Net_1"`,
    );
  });

  it("rejects a dockerName that is not a DNS label", () => {
    expectThrowsExactly(
      () => new Network("net-bad", { dockerName: "-edge" }),
      `Network "net-bad": \`dockerName\` ${DNS_RULE}, got "-edge"`,
    );
  });
});
