/**
 * Entry point of the shipyard policy pack. Run it with
 * `pulumi preview --policy-pack policy/pack` (see policy/README.md); `npm run preview|up` start it
 * themselves and the CLI attaches to it (attached.ts). Constructing the PolicyPack starts the
 * analyzer's gRPC server, so nothing else should import this module.
 */
import { PolicyPack } from "@pulumi/policy";
import { serveAttached } from "./attached";
import { decodeOncePerRequest } from "./decode-once";
import { policies } from "./policies";

decodeOncePerRequest();
serveAttached();

new PolicyPack("shipyard", {
  description:
    "Docker hardening (CIS Docker Benchmark v1.6) and shipyard's own rules, shared with the audit command",
  policies,
});
