import type { OutputMap } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { planPromotion, renderPlan, type PlanResult, type PromotionInput } from "../../scripts/promote/plan";

const API_OLD = `sha256:${"a".repeat(64)}`;
const API_NEW = `sha256:${"b".repeat(64)}`;
const WEB = `sha256:${"c".repeat(64)}`;
const POSTGRES = `postgres:16.15-alpine@sha256:${"d".repeat(64)}`;
const GRAPH = `neo4j:5.26.30-community@sha256:${"e".repeat(64)}`;

function outputs(images: unknown, secret = false): OutputMap {
  return { url: { value: "http://127.0.0.1:8080", secret: false }, images: { value: images, secret } };
}

function input(overrides: Partial<PromotionInput> = {}): PromotionInput {
  return {
    source: "dev",
    target: "prod",
    sourceOutputs: outputs({ web: WEB, api: API_NEW, postgres: POSTGRES }),
    sourceLastUpdate: { kind: "update", result: "succeeded" },
    targetImages: {
      value: JSON.stringify({ postgres: POSTGRES, api: API_OLD, graph: GRAPH }),
      secret: false,
    },
    ...overrides,
  };
}

describe("planPromotion", () => {
  it.each<[string, Partial<PromotionInput>, PlanResult]>([
    [
      "sets every changed image, sorted by service, and reports the rest",
      {},
      {
        ok: true,
        plan: {
          source: "dev",
          target: "prod",
          changes: [
            { path: "images.api", from: API_OLD, to: API_NEW },
            { path: "images.web", to: WEB },
          ],
          unchanged: ["images.postgres"],
          kept: ["images.graph"],
        },
      },
    ],
    [
      "plans every image when the target has no images config yet",
      { targetImages: undefined },
      {
        ok: true,
        plan: {
          source: "dev",
          target: "prod",
          changes: [
            { path: "images.api", to: API_NEW },
            { path: "images.postgres", to: POSTGRES },
            { path: "images.web", to: WEB },
          ],
          unchanged: [],
          kept: [],
        },
      },
    ],
    [
      "plans nothing when the target already runs the source's images",
      { targetImages: { value: JSON.stringify({ api: API_NEW, web: WEB, postgres: POSTGRES }) } },
      {
        ok: true,
        plan: {
          source: "dev",
          target: "prod",
          changes: [],
          unchanged: ["images.api", "images.postgres", "images.web"],
          kept: [],
        },
      },
    ],
  ])("%s", (_name, overrides, expected) => {
    expect(planPromotion(input(overrides))).toEqual(expected);
  });

  it.each<[string, Partial<PromotionInput>, string[]]>([
    [
      "rejects a source without outputs",
      { sourceOutputs: {}, sourceLastUpdate: undefined },
      ["stack dev has no outputs; run `npm run up -- dev` first"],
    ],
    [
      "rejects a source without an images output",
      { sourceOutputs: { url: { value: "http://127.0.0.1:8080", secret: false } } },
      ["stack dev has no `images` output; run `npm run up -- dev` with a program that exports it"],
    ],
    [
      "rejects a secret images output",
      { sourceOutputs: outputs({ api: API_NEW }, true) },
      ["stack dev: output `images` is secret; image references must be plain to be promoted"],
    ],
    [
      "rejects an images output that is not a map of strings",
      { sourceOutputs: outputs({ api: 3 }) },
      ['stack dev: output `images` must map service names to image references, got {"api":3}'],
    ],
    [
      "rejects every unpinned or malformed image at once",
      {
        sourceOutputs: outputs({
          api: "shipyard-api:dev",
          web: WEB,
          postgres: "postgres:16.15-alpine",
          "x.y": WEB,
          bad: "Not An Image",
        }),
      },
      [
        'stack dev: image api is not pinned: "shipyard-api:dev"; promotion needs repo[:tag]@sha256:<64 hex> or an image id sha256:<64 hex>',
        'stack dev: image postgres is not pinned: "postgres:16.15-alpine"; promotion needs repo[:tag]@sha256:<64 hex> or an image id sha256:<64 hex>',
        'stack dev: image key "x.y" is not a service name',
        'stack dev: image bad is not an image reference (repo[:tag][@sha256:<64 hex>] or sha256:<64 hex>), got "Not An Image"',
      ],
    ],
    [
      "rejects a source whose last update failed, naming the result",
      { sourceLastUpdate: { kind: "update", result: "failed" } },
      [
        'stack dev: the last update is "failed", not "succeeded"; run `npm run up -- dev` until it succeeds, then promote',
      ],
    ],
    [
      "rejects a source with an update in progress",
      { sourceLastUpdate: { kind: "update", result: "in-progress" } },
      [
        'stack dev: the last update is "in-progress", not "succeeded"; run `npm run up -- dev` until it succeeds, then promote',
      ],
    ],
    [
      "rejects a secret images config on the target",
      { targetImages: { value: "[secret]", secret: true } },
      ["stack prod: config `images` is secret; image references are not secrets, keep them in plain text"],
    ],
    [
      "rejects an images config that is not a map",
      { targetImages: { value: "sha256:abc", secret: false } },
      ['stack prod: config `images` must map service names to image references, got "sha256:abc"'],
    ],
    [
      "rejects a failed source and a bad target together",
      { sourceLastUpdate: { kind: "refresh", result: "failed" }, targetImages: { value: "[1,2]" } },
      [
        'stack dev: the last refresh is "failed", not "succeeded"; run `npm run up -- dev` until it succeeds, then promote',
        "stack prod: config `images` must map service names to image references, got [1,2]",
      ],
    ],
  ])("%s", (_name, overrides, errors) => {
    expect(planPromotion(input(overrides))).toEqual({ ok: false, errors });
  });
});

describe("renderPlan", () => {
  it("shortens digests and lists unchanged and kept images", () => {
    const result = planPromotion(input());
    expect(result.ok && renderPlan(result.plan)).toBe(
      [
        "Promote dev → prod:",
        "  images.api: sha256:aaaaaaaaaaaa… → sha256:bbbbbbbbbbbb…",
        "  images.web: (not set) → sha256:cccccccccccc…",
        "  unchanged: images.postgres",
        "  not in dev, left as they are: images.graph",
        "",
      ].join("\n"),
    );
  });

  it("says when there is nothing to change", () => {
    const result = planPromotion(
      input({ targetImages: { value: JSON.stringify({ api: API_NEW, web: WEB, postgres: POSTGRES }) } }),
    );
    expect(result.ok && renderPlan(result.plan)).toBe(
      [
        "Promote dev → prod:",
        "  nothing to change: prod already has every image of dev",
        "  unchanged: images.api, images.postgres, images.web",
        "",
      ].join("\n"),
    );
  });
});
