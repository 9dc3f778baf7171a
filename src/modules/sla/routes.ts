import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Problem } from "../../platform/http/problems.js";
import { literals, problems, strict } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import {
  Calendar,
  type PlanDocument,
  PlanDocument as PlanDocumentSchema,
  SlaPolicyDefinition,
  severityIds,
  tierIds,
} from "../plan/document.js";
import type { PlanService } from "../plan/service.js";
import { channels, ticketTypes } from "../tickets/model.js";
import { describePolicy } from "./policies.js";
import { simulate } from "./simulate.js";

const SimulationBody = Type.Object(
  {
    severity: literals(severityIds, "Severity of the ticket"),
    tier: literals(tierIds, "Support level the ticket starts in"),
    type: Type.Optional(
      Type.String({
        pattern: "^[a-z][a-z0-9_]{1,59}$",
        description: `Ticket type; defaults: ${ticketTypes.join(", ")}`,
      }),
    ),
    channel: Type.Optional(literals(channels, "Channel the ticket came through")),
    organizationId: Type.Optional(Type.String({ format: "uuid", description: "Customer organization" })),
    openedAt: Type.String({ format: "date-time", description: "When the ticket would be opened (ISO 8601)" }),
  },
  { ...strict, description: "A ticket that is not created: only its SLA deadlines are computed" },
);

const SimulatedClock = Type.Object({
  kind: literals(["first_response", "next_response", "resolution", "tier_response"] as const, "Which SLA clock"),
  tier: Type.Union([literals(tierIds, "Tier"), Type.Null()], { description: "Tier of a tier_response clock" }),
  calendar: Type.String({ description: "Id of the plan calendar the clock counts on" }),
  startedAt: Type.String({ format: "date-time" }),
  targetAt: Type.String({ format: "date-time", description: "When the aimed-for target is reached (UTC)" }),
  breachAt: Type.String({ format: "date-time", description: "When the clock breaches (UTC)" }),
  targetBusinessMinutes: Type.Number({ description: "Open time of the calendar until the target" }),
  breachBusinessMinutes: Type.Number({ description: "Open time of the calendar until the breach" }),
});

const PolicyRef = Type.Object(
  { id: Type.String(), name: Type.String() },
  { description: 'The SLA policy the ticket would get ("default": the plan\'s own targets)' },
);

const CalendarId = Type.Object({ id: Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,39}$" }) }, strict);
const CalendarItem = Type.Intersect([Type.Object({ id: Type.String() }), Calendar]);

/** The plan names fields inside the whole document; name them inside the request's part of it instead. */
function repoint(err: unknown, prefix: string, to: string): unknown {
  if (!(err instanceof Problem) || !err.errors?.length || !err.errors.every((e) => e.pointer.startsWith(prefix))) {
    return err;
  }
  return new Problem(
    err.status,
    err.typeId,
    err.title,
    err.detail?.replaceAll(prefix, to),
    err.errors.map((e) => ({ ...e, pointer: `${to}${e.pointer.slice(prefix.length)}` })),
  );
}

const PolicyList = Type.Object({
  items: Type.Array(
    Type.Object({
      position: Type.Integer({ minimum: 1, description: "Order in which the policy is tried" }),
      ...SlaPolicyDefinition.properties,
    }),
    { description: "The plan's policies in order, then the implicit \"default\" (the plan's own targets)" },
  ),
  severities: Type.Index(PlanDocumentSchema, ["severities"]),
  tiers: Type.Index(PlanDocumentSchema, ["tiers"]),
});

const policyList = (plan: PlanDocument) => ({
  items: [...(plan.slaPolicies ?? []), { ...describePolicy(null), conditions: {} }].map((p, i) => ({
    ...p,
    position: i + 1,
  })),
  severities: plan.severities,
  tiers: plan.tiers,
});

/**
 * SLA routes over the plan: calendars, policies and escalation rules are sections of the versioned plan, so a
 * change here is a new plan version (audited, diffed, reviewed like any other), and the simulator.
 */
export function slaRoutes(deps: { plan: PlanService }) {
  const getPlan = async (): Promise<PlanDocument> => (await deps.plan.current()).document;
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/sla/calendars",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["sla"],
          summary: "Business calendars the SLA clocks run on",
          response: { 200: Type.Object({ items: Type.Array(CalendarItem) }), ...problems(400, 404, 409) },
        },
      },
      async () => {
        return { items: Object.entries((await getPlan()).calendars).map(([id, c]) => ({ id, ...c })) };
      },
    );

    app.get(
      "/api/v1/sla/calendars/:id",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["sla"],
          summary: "One business calendar",
          params: CalendarId,
          response: { 200: CalendarItem, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const c = (await getPlan()).calendars[request.params.id];
        if (!c) throw Problem.notFound("Calendar");
        return { id: request.params.id, ...c };
      },
    );

    app.put(
      "/api/v1/sla/calendars/:id",
      {
        config: { area: "plan", access: "write" },
        schema: {
          tags: ["sla"],
          summary: "Create or change a calendar (a new plan version); open tickets keep the business time already used",
          params: CalendarId,
          body: Type.Object({ calendar: Calendar, comment: Type.String({ minLength: 1, maxLength: 500 }) }, strict),
          response: { 200: CalendarItem, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const current = await deps.plan.current();
        const document = {
          ...current.document,
          calendars: { ...current.document.calendars, [request.params.id]: request.body.calendar },
        };
        try {
          await deps.plan.update(
            { document, comment: request.body.comment, baseVersion: current.version },
            { actor, request },
          );
        } catch (err) {
          throw repoint(err, `/document/calendars/${request.params.id}`, "/calendar");
        }
        return { id: request.params.id, ...request.body.calendar };
      },
    );

    app.get(
      "/api/v1/sla/policies",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["sla"],
          summary: "SLA policies in the order they are tried (first match wins), and the plan's own targets",
          description:
            'items ends with the implicit policy "default", which applies when no other matches: its targets are ' +
            "severities and tiers. A policy's targets replace these where it gives them.",
          response: { 200: PolicyList, ...problems(400, 404, 409) },
        },
      },
      async () => {
        return policyList(await getPlan());
      },
    );

    app.put(
      "/api/v1/sla/policies",
      {
        config: { area: "plan", access: "write" },
        schema: {
          tags: ["sla"],
          summary: "Replace the ordered list of SLA policies (a new plan version); open tickets keep theirs",
          body: Type.Object(
            {
              policies: Type.Array(SlaPolicyDefinition, { maxItems: 100, description: "In the order they are tried" }),
              comment: Type.String({ minLength: 1, maxLength: 500 }),
              baseVersion: Type.Optional(
                Type.Integer({ minimum: 1, description: "Plan version the change was made on; a newer one is a 409" }),
              ),
            },
            strict,
          ),
          response: { 200: PolicyList, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const current = await deps.plan.current();
        const document = { ...current.document, slaPolicies: request.body.policies };
        const saved = await deps.plan
          .update(
            { document, comment: request.body.comment, baseVersion: request.body.baseVersion ?? current.version },
            { actor, request },
          )
          .catch((err) => {
            throw repoint(err, "/document/slaPolicies", "/policies");
          });
        return policyList(saved.document);
      },
    );

    app.get(
      "/api/v1/sla/escalation-rules",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["sla"],
          summary: "The escalation matrix by severity: steps with triggers, who is notified and actions",
          response: {
            200: Type.Object({ escalation: Type.Index(PlanDocumentSchema, ["escalation"]) }),
            ...problems(400, 404, 409),
          },
        },
      },
      async () => {
        return { escalation: (await getPlan()).escalation };
      },
    );

    app.post(
      "/api/v1/sla/simulate",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["sla"],
          summary: "SLA deadlines a ticket would get, without creating it",
          description:
            "first_response, next_response, resolution and the starting tier's tier_response under the current plan. " +
            "next_response is shown for a customer follow-up written at openedAt after the first response.",
          body: SimulationBody,
          response: {
            200: Type.Object({ policy: PolicyRef, clocks: Type.Array(SimulatedClock) }),
            ...problems(400, 409),
          },
        },
      },
      async (request) => {
        return simulate(await getPlan(), request.body);
      },
    );
  };
  return plugin;
}
