import { Type } from "typebox";

/**
 * A value a server-made text names (a plan finding, a field error), typed so a client words it in its reader's
 * language: a severity or calendar by its own label rather than the plan's Portuguese name, a duration with the
 * right plural, weekdays and dates by name, an instant in the reader's zone. The server sends a key and these
 * params next to its own text; clients that translate use them, others show the text.
 */
export type MessageParam =
  /** Shown as written: tier ids, cron expressions, HH:MM times, time zones, titles. */
  | { type: "text"; value: string }
  | { type: "number"; value: number }
  | { type: "duration"; value: number; unit: "minutes" | "hours" | "businessDays" | "days" }
  /** A computed span in minutes, shown short ("45 min", "4 h"). */
  | { type: "minutes"; value: number }
  /** Severities by name, each with its response deadline when the text names it. */
  | {
      type: "severities";
      items: { id: string; name: string; response?: { value: number; unit: "minutes" | "hours" | "businessDays" } }[];
    }
  | { type: "calendar"; id: string; name: string }
  | { type: "weekdays"; days: ("monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday")[] }
  /** A calendar date, YYYY-MM-DD. */
  | { type: "date"; value: string }
  /** An instant, ISO 8601 UTC. */
  | { type: "instant"; value: string }
  /** A cadence of the plan (`monthly`, `quarterly`…), by id. */
  | { type: "cadence"; value: string };

export type MessageParams = Record<string, MessageParam>;

const durationUnit = Type.Enum(["minutes", "hours", "businessDays", "days"]);

const MessageParamSchema = Type.Union([
  Type.Object({ type: Type.Literal("text"), value: Type.String() }, { description: "Shown as written" }),
  Type.Object({ type: Type.Literal("number"), value: Type.Number() }),
  Type.Object({ type: Type.Literal("duration"), value: Type.Number(), unit: durationUnit }),
  Type.Object(
    { type: Type.Literal("minutes"), value: Type.Number() },
    { description: "A computed span in minutes, shown short (45 min, 4 h)" },
  ),
  Type.Object(
    {
      type: Type.Literal("severities"),
      items: Type.Array(
        Type.Object({
          id: Type.String(),
          name: Type.String({ description: "The plan's name of the severity" }),
          response: Type.Optional(
            Type.Object({ value: Type.Number(), unit: Type.Enum(["minutes", "hours", "businessDays"]) }),
          ),
        }),
      ),
    },
    { description: "Severities by name, each with its response deadline when the text names it" },
  ),
  Type.Object({ type: Type.Literal("calendar"), id: Type.String(), name: Type.String() }),
  Type.Object({
    type: Type.Literal("weekdays"),
    days: Type.Array(Type.Enum(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])),
  }),
  Type.Object({ type: Type.Literal("date"), value: Type.String({ format: "date" }) }),
  Type.Object({ type: Type.Literal("instant"), value: Type.String({ format: "date-time" }) }),
  Type.Object({ type: Type.Literal("cadence"), value: Type.String() }),
]);

/** The params of a server-made text, by the names its translations use. */
export const MessageParamsSchema = Type.Record(Type.String({ pattern: "^[a-zA-Z]+$" }), MessageParamSchema, {
  additionalProperties: false,
  description: "The values the text names, by the names the translations use",
});
