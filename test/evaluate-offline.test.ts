import { describe, expect, it } from "vitest";
import { evaluateOffline, PLACEHOLDER_IMAGE_ID } from "../infra/evaluate";
import { promotedProd, PROMOTED } from "./stacks/fixtures";
import { REMOTE_IMAGE } from "./mocks";

const remoteImages = (
  registrations: readonly { type: string; name: string; inputs: Record<string, unknown> }[],
) =>
  Object.fromEntries(
    registrations.filter((r) => r.type === REMOTE_IMAGE).map((r) => [r.name, r.inputs.name]),
  );

describe("evaluateOffline (what audit, diagram and compose evaluate)", () => {
  it("stands placeholder ids in for the images a never-promoted prod stack lacks, and names them", async () => {
    const prod = await evaluateOffline("prod");
    expect(prod.placeholderImages).toEqual(["images.api", "images.web"]);
    expect(remoteImages(prod.registrations)).toMatchObject({
      api: PLACEHOLDER_IMAGE_ID,
      web: PLACEHOLDER_IMAGE_ID,
    });
    expect(prod.outputs.summary.target).toBe("swarm");
  });

  it("keeps promoted images and evaluates on the target asked for", async () => {
    const prod = await evaluateOffline("prod", { raw: promotedProd(), target: "container" });
    expect(prod.placeholderImages).toEqual([]);
    expect(remoteImages(prod.registrations)).toMatchObject({ api: PROMOTED.api, web: PROMOTED.web });
    expect(prod.outputs.summary.target).toBe("container");
  });

  it("never stands in images for dev, which builds its own", async () => {
    const dev = await evaluateOffline("dev");
    expect(dev.placeholderImages).toEqual([]);
    expect(Object.values(remoteImages(dev.registrations))).not.toContain(PLACEHOLDER_IMAGE_ID);
  });
});
