// A notes web app on PostgreSQL, built from shipyard's public components alone.
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { Image, Network, PostgresDatabase, Secret, Service, Volume, type Pinning } from "../../components";

// What differs between dev and prod is data: Pulumi.<stack>.yaml sets every key.
const config = new pulumi.Config("notes");
const port = config.requireNumber("port");
const keepData = config.requireBoolean("keepData");
const pinning = config.require<Pinning>("pinning", { allowedValues: ["tag", "digest"] });
// Docker names of networks and volumes are global to the host: each stack gets its own.
const prefix = `notes-${pulumi.getStack()}`;

// The database: on an internal network with no route out, its data on a named volume that prod
// protects and keeps, its password generated and delivered as a file.
const db = new PostgresDatabase("db", {
  image: new Image("postgres", { ref: config.require("postgresImage"), pinning }),
  network: new Network("data", { dockerName: `${prefix}-data`, internal: true, tier: "data" }),
  volume: new Volume("pgdata", { dockerName: `${prefix}-pgdata`, retainData: keepData }),
  // Kept with the volume: a database re-created on a kept volume still has its old password.
  password: new Secret("db-password", { protect: keepData }),
});

// The web app: built from ./app, published on 127.0.0.1. `connections: [db]` joins the database's
// network, sets DATABASE_HOST/PORT/NAME/USER, mounts DATABASE_PASSWORD_FILE and starts the web
// once the database is healthy.
const web = new Service("web", {
  image: new Image("web", { build: { context: path.join(__dirname, "app"), repository: "notes-web" } }),
  replicas: config.requireNumber("replicas"),
  networks: [new Network("edge", { dockerName: `${prefix}-edge` })],
  connections: [db],
  env: { PORT: "3000" },
  ports: [{ containerPort: 3000, hostPort: port }],
  healthcheck: { test: ["CMD", "node", "src/healthcheck.js"], startPeriod: "40s" },
});

/** Where the app answers (replica i on port + i). */
export const url = `http://127.0.0.1:${port}`;
/** The image the web runs: what a promotion would pin in prod. */
export const webImage = web.imageReference;
