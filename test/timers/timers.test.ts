import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Duration } from "../../src/modules/plan/document.js";
import type { Subject, Timer, TimerFiring } from "../../src/modules/timers/service.js";
import { type Clock, ManualClock } from "../../src/platform/clock.js";
import type { DB } from "../../src/platform/db/schema.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

/** Timers of a subject that is not a ticket (an incident, a maintenance notice), on the plan's calendars. */

/**
 * A subject type of this suite's own: the incidents module owns the `incident` timers (and their handler), so the
 * suite records the firings of an incident-like subject nobody else handles.
 */
const INCIDENT = "test-incident";

type Fired = { subject: string; name: string; phase: string; dueAt: string | null; warnAt: string | null; at: string };

function recorder(t: TestContext, type: string, fired: Fired[], lateness?: number[], clock?: Clock) {
  t.services.timers.handle(type, {
    async fire(f: TimerFiring) {
      fired.push({
        subject: f.timer.subject.id,
        name: f.timer.name,
        phase: f.phase,
        dueAt: f.timer.dueAt,
        warnAt: f.timer.warnAt,
        at: f.now.toISOString(),
      });
      const instant = f.phase === "due" ? f.timer.dueAt : f.timer.warnAt;
      if (lateness && clock) lateness.push(clock.now().getTime() - Date.parse(instant!));
      // The handler writes in the firing transaction (here a parked job): it commits with the timer's mark.
      await t.platform.jobs.enqueue(
        `${type}.timer.${f.phase}`,
        { subjectId: f.timer.subject.id, name: f.timer.name },
        { runAt: new Date("2100-01-01T00:00:00.000Z"), dedupeKey: `fired:${f.timer.id}:${f.phase}`, executor: f.trx },
      );
    },
  });
}

const inTrx = <T>(t: TestContext, fn: (trx: Kysely<DB>) => Promise<T>) => t.platform.db.transaction().execute(fn);

async function jobOf(t: TestContext, timer: Timer, phase: "warning" | "due") {
  return t.platform.db
    .selectFrom("jobs")
    .select(["run_at", "status"])
    .where("dedupe_key", "=", `timer:${timer.id}:${timer.generation}:${phase}`)
    .executeTakeFirst();
}

const minutes = (value: number): Duration => ({ value, unit: "minutes" });
const hours = (value: number): Duration => ({ value, unit: "hours" });

describe.each(engines)("timers of an incident on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-29T02:50:00.000Z"); // Saturday 23:50 in São Paulo
  const fired: Fired[] = [];
  let n = 0;
  const incident = (): Subject => ({ type: INCIDENT, id: `inc-${++n}` });

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    recorder(t, INCIDENT, fired);
    recorder(t, "maintenance", fired);
  });
  afterAll(() => t.close());

  it("24x7 over midnight: warning and due at their exact instants, moved by a pause, stale instants never fire", async () => {
    clock.set("2026-11-29T02:50:00.000Z");
    fired.length = 0;
    const subject = incident();
    const calendar = await t.services.timers.calendar("24x7");
    const timer = await inTrx(t, (trx) =>
      t.services.timers.start(trx, { subject, name: "respond", calendar, duration: minutes(30), warningPercent: 50 }),
    );
    expect(timer).toMatchObject({
      status: "running",
      dueAt: "2026-11-29T03:20:00.000Z",
      warnAt: "2026-11-29T03:05:00.000Z",
    });
    // The job queue holds the computed instants exactly.
    expect((await jobOf(t, timer, "due"))?.run_at).toBe("2026-11-29T03:20:00.000Z");
    expect((await jobOf(t, timer, "warning"))?.run_at).toBe("2026-11-29T03:05:00.000Z");

    clock.set("2026-11-29T03:00:00.000Z"); // 10 minutes counted
    const pausedTimer = await inTrx(t, (trx) => t.services.timers.pause(trx, subject, "respond"));
    expect(pausedTimer).toMatchObject({ status: "paused", dueAt: null, warnAt: null, elapsedMs: 600_000 });
    clock.set("2026-11-29T03:30:00.000Z"); // past both old instants while paused
    await t.platform.jobs.drain();
    expect(fired).toEqual([]);

    const resumed = await inTrx(t, (trx) => t.services.timers.resume(trx, subject, "respond"));
    expect(resumed).toMatchObject({
      status: "running",
      warnAt: "2026-11-29T03:35:00.000Z",
      dueAt: "2026-11-29T03:50:00.000Z",
    });
    expect((await jobOf(t, resumed!, "due"))?.run_at).toBe("2026-11-29T03:50:00.000Z");
    await t.platform.jobs.drain();
    expect(fired).toEqual([]);
    clock.set("2026-11-29T03:35:00.000Z");
    await t.platform.jobs.drain();
    clock.set("2026-11-29T03:50:00.000Z");
    await t.platform.jobs.drain();
    await t.platform.jobs.drain();
    expect(fired).toEqual([
      expect.objectContaining({
        subject: subject.id,
        phase: "warning",
        warnAt: "2026-11-29T03:35:00.000Z",
        at: "2026-11-29T03:35:00.000Z",
      }),
      expect.objectContaining({
        subject: subject.id,
        phase: "due",
        dueAt: "2026-11-29T03:50:00.000Z",
        at: "2026-11-29T03:50:00.000Z",
      }),
    ]);
    expect(await t.services.timers.get(subject, "respond")).toMatchObject({
      status: "fired",
      firedAt: "2026-11-29T03:50:00.000Z",
    });
    // The handler's write committed with the firing.
    const writes = await t.platform.db
      .selectFrom("jobs")
      .select("kind")
      .where("dedupe_key", "like", `fired:${(await t.services.timers.get(subject, "respond"))!.id}:%`)
      .orderBy("created_at")
      .execute();
    expect(writes.map((j) => j.kind)).toEqual([`${INCIDENT}.timer.warning`, `${INCIDENT}.timer.due`]);
    // A fired timer is not paused or resumed any more.
    expect(await inTrx(t, (trx) => t.services.timers.pause(trx, subject, "respond"))).toBeNull();
  });

  it("business calendar over New Year's Day and a weekend, paused for an hour on Monday", async () => {
    clock.set("2026-12-31T20:00:00.000Z"); // Thursday 17:00; Friday is a holiday
    fired.length = 0;
    const subject = incident();
    const comercial = await t.services.timers.calendar("comercial");
    const timer = await inTrx(t, (trx) =>
      t.services.timers.start(trx, { subject, name: "resolve", calendar: comercial, duration: hours(4) }),
    );
    expect(timer.dueAt).toBe("2027-01-04T14:00:00.000Z"); // Monday 11:00
    expect((await jobOf(t, timer, "due"))?.run_at).toBe(timer.dueAt);

    clock.set("2027-01-04T12:00:00.000Z"); // Monday 09:00: 2 h counted (Thursday 17–18, Monday 08–09)
    await inTrx(t, (trx) => t.services.timers.pause(trx, subject, "resolve"));
    clock.set("2027-01-04T13:00:00.000Z");
    const resumed = await inTrx(t, (trx) => t.services.timers.resume(trx, subject, "resolve"));
    expect(resumed).toMatchObject({ elapsedMs: 2 * 3_600_000, dueAt: "2027-01-04T15:00:00.000Z" });
    clock.set("2027-01-04T14:00:00.000Z"); // the stale instant
    await t.platform.jobs.drain();
    expect(fired).toEqual([]);
    clock.set("2027-01-04T15:00:00.000Z");
    await t.platform.jobs.drain();
    expect(fired).toEqual([expect.objectContaining({ phase: "due", dueAt: "2027-01-04T15:00:00.000Z" })]);
  });

  it("business days across Brazil's 2018 DST start (Finados on Friday) keep the local time", async () => {
    clock.set("2018-11-01T13:00:00.000Z"); // Thursday 10:00 −03
    fired.length = 0;
    const subject = incident();
    const comercial = await t.services.timers.calendar("comercial");
    const timer = await inTrx(t, (trx) =>
      t.services.timers.start(trx, {
        subject,
        name: "resolve",
        calendar: comercial,
        duration: { value: 1, unit: "businessDays" },
      }),
    );
    expect(timer.dueAt).toBe("2018-11-05T12:00:00.000Z"); // Monday 10:00 −02
    clock.set("2018-11-05T11:59:59.999Z");
    await t.platform.jobs.drain();
    expect(fired).toEqual([]);
    clock.set("2018-11-05T12:00:00.000Z");
    await t.platform.jobs.drain();
    expect(fired).toEqual([expect.objectContaining({ phase: "due", dueAt: "2018-11-05T12:00:00.000Z" })]);
  });

  it("absolute instants: maintenance notices 72 h and 24 h ahead, moved when the window moves", async () => {
    clock.set("2026-12-01T12:00:00.000Z");
    fired.length = 0;
    const subject: Subject = { type: "maintenance", id: "mnt-1" };
    const windowStart = Date.parse("2026-12-10T03:00:00.000Z");
    const notices = async (start: number) =>
      inTrx(t, async (trx) => [
        await t.services.timers.start(trx, { subject, name: "notice-72h", at: new Date(start - 72 * 3_600_000) }),
        await t.services.timers.start(trx, { subject, name: "notice-24h", at: new Date(start - 24 * 3_600_000) }),
      ]);
    const [n72, n24] = await notices(windowStart);
    expect([n72!.dueAt, n24!.dueAt]).toEqual(["2026-12-07T03:00:00.000Z", "2026-12-09T03:00:00.000Z"]);
    // Setting the same instant again changes nothing: no new generation, no new job.
    const [again] = await notices(windowStart);
    expect(again!.generation).toBe(n72!.generation);
    // The window moves a day later: the notices follow, the old instants are stale.
    const [m72] = await notices(windowStart + 86_400_000);
    expect(m72!.dueAt).toBe("2026-12-08T03:00:00.000Z");
    clock.set("2026-12-07T03:00:00.000Z");
    await t.platform.jobs.drain();
    expect(fired).toEqual([]);
    clock.set("2026-12-08T03:00:00.000Z");
    await t.platform.jobs.drain();
    expect(fired.map((f) => `${f.name}@${f.dueAt}`)).toEqual(["notice-72h@2026-12-08T03:00:00.000Z"]);
  });

  it("retargets a running timer: time already counted stays counted", async () => {
    clock.set("2026-12-02T12:00:00.000Z");
    const subject = incident();
    const calendar = await t.services.timers.calendar("24x7");
    await inTrx(t, (trx) => t.services.timers.start(trx, { subject, name: "resolve", calendar, duration: hours(4) }));
    clock.set("2026-12-02T13:00:00.000Z");
    const raised = await inTrx(t, (trx) =>
      t.services.timers.retarget(trx, subject, "resolve", { duration: hours(2), warningPercent: 75 }),
    );
    expect(raised).toMatchObject({ dueAt: "2026-12-02T14:00:00.000Z", warnAt: "2026-12-02T13:30:00.000Z" });
    const cancelled = await inTrx(t, (trx) => t.services.timers.cancel(trx, subject, "resolve"));
    expect(cancelled).toMatchObject({ status: "cancelled", dueAt: null });
  });

  it("fires once when two workers run the same job", async () => {
    clock.set("2026-12-03T12:00:00.000Z");
    fired.length = 0;
    const subject = incident();
    const calendar = await t.services.timers.calendar("24x7");
    const timer = await inTrx(t, (trx) =>
      t.services.timers.start(trx, { subject, name: "respond", calendar, duration: minutes(1) }),
    );
    clock.set("2026-12-03T12:01:00.000Z");
    const job = { timerId: timer.id, generation: timer.generation, phase: "due" as const };
    await Promise.all([t.services.timers.fire(job), t.services.timers.fire(job), t.services.timers.fire(job)]);
    expect(fired).toHaveLength(1);
  });

  it("two transactions recomputing the same timer at once both commit, one after the other", async () => {
    clock.set("2026-12-04T12:00:00.000Z");
    const subject = incident();
    const first = await inTrx(t, (trx) =>
      t.services.timers.start(trx, { subject, name: "notice", at: new Date("2026-12-05T12:00:00.000Z") }),
    );
    const move = (at: string) =>
      inTrx(t, async (trx) => {
        const timer = await t.services.timers.start(trx, { subject, name: "notice", at: new Date(at) });
        // Hold the transaction open so the other one reads the same generation.
        await new Promise((r) => setTimeout(r, 100));
        return timer;
      });
    const moved = await Promise.all([move("2026-12-05T13:00:00.000Z"), move("2026-12-05T14:00:00.000Z")]);
    expect(moved.map((m) => m.generation).sort()).toEqual([first.generation + 1, first.generation + 2]);
    const last = moved.find((m) => m.generation === first.generation + 2)!;
    expect(await t.services.timers.get(subject, "notice")).toMatchObject({
      generation: last.generation,
      dueAt: last.dueAt,
    });
  });

  it("a plan change of a calendar moves its timers from when it was saved", async () => {
    clock.set("2026-11-27T20:00:00.000Z"); // Friday 17:00
    const subject = incident();
    const comercial = await t.services.timers.calendar("comercial");
    const timer = await inTrx(t, (trx) =>
      t.services.timers.start(trx, { subject, name: "respond", calendar: comercial, duration: hours(2) }),
    );
    expect(timer.dueAt).toBe("2026-11-30T12:00:00.000Z"); // Monday 09:00

    clock.set("2026-11-28T15:00:00.000Z"); // Saturday: opening moves to 07:00
    const manager = (await tokenFor(t, "manager")).headers;
    const plan = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json();
    const doc = structuredClone(plan.document);
    for (const day of ["monday", "tuesday", "wednesday", "thursday", "friday"])
      doc.calendars.comercial.week[day] = [{ start: "07:00", end: "18:00" }];
    const saved = await t.app.inject({
      method: "PUT",
      url: "/api/v1/plan",
      headers: manager,
      payload: { document: doc, comment: "abre às 7h" },
    });
    expect(saved.statusCode).toBe(200);
    // The bus hands `plan.updated` to the timers, which queue one recalendar job per version.
    t.services.timers.onEvent({
      id: 0,
      type: "plan.updated",
      organizationId: null,
      subjectId: String(saved.json().version),
      payload: { version: saved.json().version },
      createdAt: clock.now().toISOString(),
    });
    await expect
      .poll(async () =>
        t.platform.db
          .selectFrom("jobs")
          .select("id")
          .where("dedupe_key", "=", `timers.recalendar:${saved.json().version}`)
          .executeTakeFirst(),
      )
      .toBeDefined();
    await t.platform.jobs.drain();
    // Friday's hour stays used; the second hour is Monday 07:00–08:00.
    expect((await t.services.timers.get(subject, "respond"))?.dueAt).toBe("2026-11-30T11:00:00.000Z");
    // Running it again moves nothing.
    expect(await t.services.timers.followPlan(saved.json().version)).toBe(0);
  });
});

/** Real time, shifted: the running job queue sleeps until each instant and fires it. */
class ShiftedClock implements Clock {
  offset = 0;
  now() {
    return new Date(Date.now() + this.offset);
  }
  setNow(at: string) {
    this.offset = Date.parse(at) - Date.now();
  }
}

describe.each(engines)("timers fire within 1 s of wall time on %s", (engine) => {
  let t: TestContext;
  const clock = new ShiftedClock();
  const fired: Fired[] = [];
  const lateness: number[] = [];

  beforeAll(async () => {
    t = await testApp(engine, { clock, start: true, config: { jobPollMs: 1000 } });
    recorder(t, INCIDENT, fired, lateness, clock);
  });
  afterAll(() => t.close());

  it("24x7 and business timers, one paused and resumed, each within 1 s of its instant", async () => {
    const comercial = await t.services.timers.calendar("comercial");
    const always = await t.services.timers.calendar("24x7");
    clock.setNow("2027-01-04T13:59:57.000Z"); // Monday 10:59:57 in São Paulo, after New Year's weekend
    const business = { type: INCIDENT, id: "live-business" };
    const wall = { type: INCIDENT, id: "live-24x7" };
    const [b, w] = await inTrx(t, async (trx) => [
      // Opened Thursday 17:00 before the holiday: due Monday 11:00, three seconds from now.
      await t.services.timers.start(trx, {
        subject: business,
        name: "resolve",
        calendar: comercial,
        duration: hours(4),
        from: new Date("2026-12-31T20:00:00.000Z"),
      }),
      // Four seconds of wall time.
      await t.services.timers.start(trx, {
        subject: wall,
        name: "respond",
        calendar: always,
        duration: minutes(4 / 60),
      }),
    ]);
    expect(b!.dueAt).toBe("2027-01-04T14:00:00.000Z");
    // Paused after a second for two seconds: due two seconds later than armed.
    await new Promise((r) => setTimeout(r, 1000));
    await inTrx(t, (trx) => t.services.timers.pause(trx, wall, "respond"));
    await new Promise((r) => setTimeout(r, 2000));
    const resumed = await inTrx(t, (trx) => t.services.timers.resume(trx, wall, "respond"));
    expect(Date.parse(resumed!.dueAt!) - Date.parse(w!.dueAt!)).toBeGreaterThanOrEqual(1900);
    await expect.poll(() => fired.length, { timeout: 10_000, interval: 50 }).toBe(2);
    expect(fired.map((f) => `${f.subject}:${f.dueAt}`).sort()).toEqual(
      [`live-business:${b!.dueAt}`, `live-24x7:${resumed!.dueAt}`].sort(),
    );
    console.log(`timer lateness on ${engine} (ms): ${lateness.join(", ")}`);
    for (const ms of lateness) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(1000);
    }
    // The stale instant of the paused timer fired nothing more.
    await new Promise((r) => setTimeout(r, 500));
    expect(fired).toHaveLength(2);
  });
});
