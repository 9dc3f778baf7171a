import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uuidv7 } from "../../src/platform/ids.js";
import { createUser, engines, type TestContext, testApp } from "../harness.js";

/** Escalation recipients are read a page at a time: a list longer than a page is never cut short. */
describe.each(engines)("escalation recipients on %s", (engine) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(() => t.close());

  async function copies(role: "noc" | "agent", n: number, tier: string | null) {
    const model = await createUser(t, role, tier ? { tier: tier as "L2" } : {});
    const row = await t.platform.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", model.id)
      .executeTakeFirstOrThrow();
    for (let i = 0; i < n; i += 250) {
      await t.platform.db
        .insertInto("users")
        .values(
          Array.from({ length: Math.min(250, n - i) }, (_, k) => ({
            ...row,
            id: uuidv7(),
            email: `${role}-${tier ?? "x"}-${i + k}@example.com`,
          })),
        )
        .execute();
    }
  }

  it("reaches every noc user and every agent of a tier past 500 of them", async () => {
    await copies("noc", 1_200, null); // and the model: 1,201
    await copies("agent", 700, "L2"); // 701
    await copies("agent", 20, "L1"); // other tier
    const noc = await t.services.directory.escalationRecipients(["noc"], null);
    expect(noc).toHaveLength(1_201);
    const l2 = await t.services.directory.escalationRecipients(["L2"], null);
    expect(l2).toHaveLength(701);
  });
});
