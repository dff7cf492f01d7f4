import { expect, it } from "vitest";
import * as library from "../../components";

// The public entry point is a contract: a name added here is API to keep, a name that leaks from
// the files behind it (spec resolvers, provider-shaped helpers) is API nobody meant to promise.
it("exports the components, their helpers and nothing internal", () => {
  expect(Object.keys(library).sort()).toEqual([
    "ComponentArgError",
    "FILES_CARRIER_BUILD",
    "Image",
    "Neo4jBackup",
    "Neo4jGraph",
    "Network",
    "PostgresBackup",
    "PostgresDatabase",
    "Prometheus",
    "RedisCache",
    "Secret",
    "Service",
    "Volume",
  ]);
});
