import * as grpc from "@grpc/grpc-js";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { describe, expect, it } from "vitest";
import { serveAttached, stackEnvironment, STARTED_BY_WRAPPER } from "../../policy/pack/attached";

// The pack as `npm run preview|up` start it. Served for real, through the wrapper's start and the
// CLI's attach.sh: test/scripts/policy-pack.test.ts.
describe("stackEnvironment", () => {
  it("is what Pulumi's Node.js language host gives a pack for the engine's stack configuration", () => {
    const request = new analyzerproto.AnalyzerStackConfigureRequest()
      .setStack("dev")
      .setProject("shipyard")
      .setOrganization("")
      .setDryRun(true);
    request.getConfigMap().set("shipyard:environment", "dev").set("shipyard:target", "container");
    expect(stackEnvironment(request)).toEqual({
      PULUMI_NODEJS_PROJECT: "shipyard",
      PULUMI_NODEJS_STACK: "dev",
      PULUMI_NODEJS_DRY_RUN: "true",
      PULUMI_CONFIG: '{"shipyard:environment":"dev","shipyard:target":"container"}',
    });
  });

  it("says so for an update and for a stack without config", () => {
    const request = new analyzerproto.AnalyzerStackConfigureRequest().setStack("prod").setDryRun(false);
    expect(stackEnvironment(request)).toEqual({
      PULUMI_NODEJS_STACK: "prod",
      PULUMI_NODEJS_DRY_RUN: "false",
      PULUMI_CONFIG: "{}",
    });
  });
});

describe("serveAttached", () => {
  it("changes nothing in a pack the CLI started", () => {
    const before = Object.getOwnPropertyDescriptor(grpc.Server.prototype, "addService");
    serveAttached({ [STARTED_BY_WRAPPER]: undefined });
    expect(Object.getOwnPropertyDescriptor(grpc.Server.prototype, "addService")).toEqual(before);
  });
});
