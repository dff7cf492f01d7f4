#!/usr/bin/env node
// Stands for the `pulumi` npm package's wrapper in node_modules/.bin (test/promote/cli.test.ts): the
// promote CLI must never run it, so running it is logged as a call and fails.
import { appendFileSync } from "node:fs";

appendFileSync(process.env.FAKE_PULUMI_LOG, `DECOY ${process.argv.slice(2).join(" ")}\n`);
process.exit(1);
