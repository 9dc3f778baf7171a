import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, type TestContext, testApp } from "../harness.js";

/** The index behind an agent's open queue (migration 0013), on both engines. */
describe.each(engines)("the assignee + open queue index on %s", (engine) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(() => t.close());

  it("indexes open tickets by assignee, newest first, and only open ones", async () => {
    const tickets = (await t.platform.dialect.describeSchema(t.platform.db)).find((x) => x.name === "tickets")!;
    expect(tickets.indexes).toContainEqual({
      name: "tickets_assignee_open",
      columns: ["assignee_user_id", "id"],
      unique: false,
    });
    const definition =
      engine === "postgres"
        ? await sql<{
            d: string;
          }>`SELECT indexdef AS d FROM pg_indexes WHERE indexname = 'tickets_assignee_open'`.execute(t.platform.db)
        : await sql<{ d: string }>`SELECT sql AS d FROM sqlite_master WHERE name = 'tickets_assignee_open'`.execute(
            t.platform.db,
          );
    const where = definition.rows[0]!.d.replace(/::text/g, "").replace(/"/g, "");
    for (const status of ["new", "open", "pending_customer", "pending_vendor", "on_hold"])
      expect(where).toContain(`'${status}'`);
    expect(where).not.toContain("'closed'");
  });

  it("groups open tickets by tier and by organization from indexes holding every column the groups name (0048)", async () => {
    const tickets = (await t.platform.dialect.describeSchema(t.platform.db)).find((x) => x.name === "tickets")!;
    expect(tickets.indexes).toContainEqual({ name: "tickets_open_tier", columns: ["tier", "status"], unique: false });
    expect(tickets.indexes).toContainEqual({
      name: "tickets_open_organization",
      columns: ["organization_id", "status"],
      unique: false,
    });
  });
});
