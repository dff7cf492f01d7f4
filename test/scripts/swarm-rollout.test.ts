import { describe, expect, it } from "vitest";
import { parseRolloutRows, rolloutVerdict } from "../../scripts/swarm-rollout";

// A real `up` returned while Swarm was still rolling the API out: the provider's wait on an update
// ends once every slot runs a task. The wrapper waits for Swarm's own verdict instead.
describe("rolloutVerdict", () => {
  it("is done when every service completed its update or was never updated", () => {
    expect(
      rolloutVerdict(
        parseRolloutRows("shipyard-prod-api\tcompleted\tupdate completed\nshipyard-prod-web\t\n"),
      ),
    ).toEqual({ pending: [], failed: [] });
  });

  it("waits while an update or a rollback is in progress", () => {
    const rows = parseRolloutRows(
      "shipyard-prod-api\tupdating\tupdate in progress\nshipyard-prod-web\trollback_started\tupdate rolled back due to failure\n",
    );
    expect(rolloutVerdict(rows)).toEqual({ pending: ["shipyard-prod-api", "shipyard-prod-web"], failed: [] });
  });

  it("fails on a rollback or a paused update, with Swarm's message", () => {
    const rows = parseRolloutRows(
      [
        "shipyard-prod-api\trollback_completed\tupdate rolled back due to failure or early termination of task t4cx",
        "shipyard-prod-web\tpaused\tupdate paused due to failure or early termination of task k2",
        "shipyard-prod-redis\tcompleted\tupdate completed",
        "shipyard-prod-backup\trollback_completed\trollback completed",
      ].join("\n"),
    );
    expect(rolloutVerdict(rows)).toEqual({
      pending: [],
      failed: [
        "shipyard-prod-api: rollback completed: update rolled back due to failure or early termination of task t4cx",
        "shipyard-prod-web: paused: update paused due to failure or early termination of task k2",
        "shipyard-prod-backup: rollback completed",
      ],
    });
  });
});
