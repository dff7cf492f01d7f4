import * as pulumi from "@pulumi/pulumi";
import { afterEach, expect, it } from "vitest";
import { readRuntimeConfig } from "../../infra/runtime-config";

afterEach(() => pulumi.runtime.setAllConfig({}));

it("reads the shipyard: keys of the running stack with their secret flags, ignoring other namespaces", () => {
  pulumi.runtime.setAllConfig(
    {
      "shipyard:environment": "dev",
      "shipyard:redisPassword": "s3cret",
      "shipyard:features": '{"graph":true}',
      "docker:host": "unix:///x",
    },
    ["shipyard:redisPassword"],
  );
  expect(readRuntimeConfig()).toEqual({
    environment: { value: "dev", secret: false },
    redisPassword: { value: "s3cret", secret: true },
    features: { value: '{"graph":true}', secret: false },
  });
});
