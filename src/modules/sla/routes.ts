import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { authorize } from "../identity/actor.js";
import { type PlanDocument, severityIds, tierIds } from "../plan/document.js";
import { channels, ticketTypes } from "../tickets/model.js";
import { simulate } from "./simulate.js";

const strict = { additionalProperties: false } as const;
const enumOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], description });

const SimulationBody = Type.Object(
  {
    severity: enumOf(severityIds, "Severity of the ticket"),
    tier: enumOf(tierIds, "Support level the ticket starts in"),
    type: Type.Optional(
      Type.String({
        pattern: "^[a-z][a-z0-9_]{1,59}$",
        description: `Ticket type; defaults: ${ticketTypes.join(", ")}`,
      }),
    ),
    channel: Type.Optional(enumOf(channels, "Channel the ticket came through")),
    organizationId: Type.Optional(Type.String({ format: "uuid", description: "Customer organization" })),
    openedAt: Type.String({ format: "date-time", description: "When the ticket would be opened (ISO 8601)" }),
  },
  { ...strict, description: "A ticket that is not created: only its SLA deadlines are computed" },
);

const SimulatedClock = Type.Object({
  kind: enumOf(["first_response", "next_response", "resolution", "tier_response"] as const, "Which SLA clock"),
  tier: Type.Union([enumOf(tierIds, "Tier"), Type.Null()], { description: "Tier of a tier_response clock" }),
  calendar: Type.String({ description: "Id of the plan calendar the clock counts on" }),
  startedAt: Type.String({ format: "date-time" }),
  targetAt: Type.String({ format: "date-time", description: "When the aimed-for target is reached (UTC)" }),
  breachAt: Type.String({ format: "date-time", description: "When the clock breaches (UTC)" }),
  targetBusinessMinutes: Type.Number({ description: "Open time of the calendar until the target" }),
  breachBusinessMinutes: Type.Number({ description: "Open time of the calendar until the breach" }),
});

const problem = Type.Ref("Problem");

/** SLA routes; `getPlan` gives the current plan document (the lead wires it to the plan service). */
export function slaRoutes(deps: { getPlan: () => Promise<PlanDocument> }) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.post(
      "/api/v1/sla/simulate",
      {
        schema: {
          tags: ["sla"],
          summary: "SLA deadlines a ticket would get, without creating it",
          description:
            "first_response, next_response, resolution and the starting tier's tier_response under the current plan. " +
            "next_response is shown for a customer follow-up written at openedAt after the first response.",
          body: SimulationBody,
          response: {
            200: Type.Object({ clocks: Type.Array(SimulatedClock) }),
            400: problem,
            401: problem,
            403: problem,
            409: problem,
          },
        },
      },
      async (request) => {
        authorize(request, "plan", "read");
        return simulate(await deps.getPlan(), request.body);
      },
    );
  };
  return plugin;
}
