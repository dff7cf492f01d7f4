import * as docker from "@pulumi/docker";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { Image, validateImageArgs, type ImageArgs } from "../../components/image";
import { fakeSha256, registered } from "../../infra/offline";
import {
  BUILT_IMAGE,
  REMOTE_IMAGE,
  child,
  expectThrowsExactly,
  promiseOf,
  settle,
  freshRegistrations,
  mockImageId,
} from "../mocks";

const DIGEST = `sha256:${"ab".repeat(32)}`;
/** The image id the mock provider reports for a RemoteImage named `ref`. */

const contexts: string[] = [];
/** A temporary build context holding `files` (relative path → content). */
function makeContext(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-image-"));
  contexts.push(dir);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}
const APP = { Dockerfile: "FROM node:20-alpine\nCOPY src ./src\n", "src/index.js": "console.log(1);\n" };

afterAll(() => {
  for (const dir of contexts) fs.rmSync(dir, { recursive: true, force: true });
});

/** The tag a build registered for its docker.Image. */
async function builtTag(image: string): Promise<string> {
  await settle();
  return String(child(BUILT_IMAGE, `${image}-build`).inputs.imageName);
}

describe("Image from a ref", () => {
  beforeEach(freshRegistrations);

  it("registers only a RemoteImage kept locally for a digest ref, and references it by that ref", async () => {
    const ref = `postgres:16.4-alpine@${DIGEST}`;
    const image = new Image("img-digest", { ref });
    await settle();

    const remote = child(REMOTE_IMAGE, "img-digest");
    expect(remote.inputs).toEqual({ name: ref, keepLocally: true });
    expect(remote.parent).toBe("urn:pulumi:dev::shipyard::shipyard:components:Image::img-digest");
    expect(registered().filter((r) => r.type === BUILT_IMAGE)).toEqual([]);
    expect(await promiseOf(image.imageId)).toBe(mockImageId(ref));
    expect(await promiseOf(image.reference)).toBe(ref);
  });

  it("references a digest-only ref as given", async () => {
    const ref = `postgres@${DIGEST}`;
    const image = new Image("img-digest-only", { ref });
    expect(await promiseOf(image.reference)).toBe(ref);
  });

  it("references a local image id as given", async () => {
    const image = new Image("img-id", { ref: DIGEST });
    expect(await promiseOf(image.imageId)).toBe(DIGEST);
    expect(await promiseOf(image.reference)).toBe(DIGEST);
  });

  it("references a tag-only ref by the digest that was pulled", async () => {
    const image = new Image("img-tag", { ref: "redis:7.4-alpine", pinning: "tag" });
    await settle();

    expect(child(REMOTE_IMAGE, "img-tag").inputs).toEqual({ name: "redis:7.4-alpine", keepLocally: true });
    expect(await promiseOf(image.imageId)).toBe(mockImageId("redis:7.4-alpine"));
    expect(await promiseOf(image.reference)).toBe(`redis@sha256:${fakeSha256("digest:redis:7.4-alpine")}`);
  });

  it("references a tag-only ref of an image never pushed (no repo digest) by its image id", async () => {
    // Built here under this tag (as a local build or `docker load` leaves it): Docker has no repo digest.
    new docker.Image("local-build", {
      imageName: "shipyard-api:local",
      skipPush: true,
      build: { context: "." },
    });
    await settle();
    const image = new Image("img-local", { ref: "shipyard-api:local", pinning: "tag" });
    await settle();

    expect(await promiseOf(image.reference)).toBe(mockImageId("shipyard-api:local"));
  });

  it("accepts latest at pinning any", async () => {
    const image = new Image("img-any", { ref: "redis:latest", pinning: "any" });
    await settle();
    expect(child(REMOTE_IMAGE, "img-any").inputs).toEqual({ name: "redis:latest", keepLocally: true });
    expect(await promiseOf(image.imageId)).toBe(mockImageId("redis:latest"));
  });
});

describe("Image from a build", () => {
  beforeEach(freshRegistrations);

  it("builds locally without pushing, tags by content and runs the built image by id", async () => {
    const context = makeContext(APP);
    const image = new Image("img-build", { build: { context, repository: "shipyard-api" } });
    const tag = await builtTag("img-build");

    expect(tag).toMatch(/^shipyard-api:[a-f0-9]{12}$/);
    const built = child(BUILT_IMAGE, "img-build-build");
    expect(built.inputs).toEqual({
      imageName: tag,
      build: { context, dockerfile: path.join(context, "Dockerfile"), args: {} },
      skipPush: true,
      buildOnPreview: false,
    });
    expect(built.parent).toBe("urn:pulumi:dev::shipyard::shipyard:components:Image::img-build");
    expect(child(REMOTE_IMAGE, "img-build").inputs).toEqual({ name: tag, keepLocally: true });
    expect(await promiseOf(image.imageId)).toBe(mockImageId(tag));
    expect(await promiseOf(image.reference)).toBe(mockImageId(tag));
  });

  it("passes the Dockerfile, target and build args through", async () => {
    const context = makeContext({ ...APP, "docker/Dockerfile.prod": "FROM node:20-alpine AS runtime\n" });
    new Image("img-args", {
      build: {
        context,
        repository: "shipyard-web",
        dockerfile: "docker/Dockerfile.prod",
        target: "runtime",
        args: { NODE_ENV: "production" },
      },
    });
    const tag = await builtTag("img-args");

    expect(child(BUILT_IMAGE, "img-args-build").inputs).toEqual({
      imageName: tag,
      build: {
        context,
        dockerfile: path.join(context, "docker/Dockerfile.prod"),
        target: "runtime",
        args: { NODE_ENV: "production" },
      },
      skipPush: true,
      buildOnPreview: false,
    });
  });

  it("tags two builds of the same content alike", async () => {
    new Image("img-same-a", { build: { context: makeContext(APP), repository: "shipyard-api" } });
    new Image("img-same-b", { build: { context: makeContext(APP), repository: "shipyard-api" } });
    expect(await builtTag("img-same-a")).toBe(await builtTag("img-same-b"));
  });

  it.each<[string, Partial<ImageArgs["build"]>, Record<string, string>]>([
    ["a source file", {}, { "src/index.js": "console.log(2);\n" }],
    ["the build target", { target: "test" }, {}],
    ["a build arg", { args: { NODE_ENV: "test" } }, {}],
    ["the Dockerfile content", {}, { Dockerfile: "FROM node:22-alpine\nCOPY src ./src\n" }],
  ])("tags a build anew when %s changes", async (_case, buildChange, fileChange) => {
    new Image("img-before", { build: { context: makeContext(APP), repository: "shipyard-api" } });
    new Image("img-after", {
      build: { context: makeContext({ ...APP, ...fileChange }), repository: "shipyard-api", ...buildChange },
    });
    expect(await builtTag("img-after")).not.toBe(await builtTag("img-before"));
  });

  // Docker still sends an ignored Dockerfile to the daemon and builds from it, so it must count.
  it("tags a build anew when its Dockerfile changes even though .dockerignore lists the Dockerfile", async () => {
    const ignoring = { ...APP, ".dockerignore": "Dockerfile\n.dockerignore\n" };
    new Image("img-ignored-before", {
      build: { context: makeContext(ignoring), repository: "shipyard-api" },
    });
    new Image("img-ignored-after", {
      build: {
        context: makeContext({ ...ignoring, Dockerfile: "FROM node:22-alpine\nCOPY src ./src\n" }),
        repository: "shipyard-api",
      },
    });
    expect(await builtTag("img-ignored-after")).not.toBe(await builtTag("img-ignored-before"));
  });
});

describe("Image validation", () => {
  const context = makeContext(APP);

  it.each<[string, ImageArgs, string]>([
    ["neither build nor ref", {}, "`build` and `ref` are exclusive and one is required; pass exactly one"],
    [
      "both build and ref",
      { ref: DIGEST, build: { context, repository: "shipyard-api" } },
      "`build` and `ref` are exclusive and one is required; pass exactly one",
    ],
    [
      "a latest ref at pinning tag",
      { ref: "redis:latest", pinning: "tag" },
      '`ref` must name an explicit version tag, not `latest`, got "redis:latest"',
    ],
    [
      "an untagged ref at pinning tag",
      { ref: "redis", pinning: "tag" },
      '`ref` must name an explicit version tag, not an untagged image, got "redis"',
    ],
    [
      "a tag-only ref at the default pinning (digest)",
      { ref: "redis:7.4-alpine" },
      '`ref` must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got "redis:7.4-alpine"; promote a tested image with `npm run promote`',
    ],
    [
      "a malformed ref",
      { ref: "Redis:7", pinning: "any" },
      '`ref` is not an image reference (repo[:tag][@sha256:<64 hex>] or sha256:<64 hex>), got "Redis:7"',
    ],
    [
      "an upper-case build repository",
      { build: { context, repository: "Shipyard-API" } },
      '`build.repository` must be a lower-case repository name such as "shipyard-api", got "Shipyard-API"',
    ],
    [
      "a build repository with a tag",
      { build: { context, repository: "shipyard-api:dev" } },
      '`build.repository` must be a lower-case repository name such as "shipyard-api", got "shipyard-api:dev"',
    ],
  ])("rejects %s", (_case, args, problem) => {
    expectThrowsExactly(() => validateImageArgs("img-bad", args), `Image "img-bad": ${problem}`);
    expectThrowsExactly(() => new Image("img-bad", args), `Image "img-bad": ${problem}`);
  });
});
