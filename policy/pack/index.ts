/**
 * Entry point of the shipyard policy pack. Run it with
 * `pulumi preview --policy-pack policy/pack` (see policy/README.md). Constructing the PolicyPack
 * starts the analyzer's gRPC server, so nothing else should import this module.
 */
import { PolicyPack } from "@pulumi/policy";
import { decodeOncePerRequest } from "./decode-once";
import { policies } from "./policies";

decodeOncePerRequest();

new PolicyPack("shipyard", {
  description:
    "Docker hardening (CIS Docker Benchmark v1.6) and shipyard's own rules, shared with the audit command",
  policies,
});
