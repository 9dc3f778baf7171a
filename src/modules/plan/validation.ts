import { Cron } from "croner";
import { Compile } from "typebox/compile";
import type { MessageParams } from "../../platform/http/messages.js";
import { calendarErrors } from "./calendar-validation.js";
import {
  calendarOf,
  DEFAULT_SLA_POLICY_ID,
  type PlanDocument,
  PlanDocument as PlanSchema,
  severityIds,
  tierIds,
} from "./document.js";
import { describeDuration, isDate, isTimeZone, minuteOfDay, openMinutes } from "./measure.js";

type Span = { value: number; unit: "minutes" | "hours" | "businessDays" };
const duration = (d: Span) => ({ type: "duration", value: d.value, unit: d.unit }) as const;
const text = (value: string) => ({ type: "text", value }) as const;

/** A field at fault in a plan document, by JSON Pointer inside the document. */
export interface PlanError {
  pointer: string;
  message: string;
  /** The message's key in the web app's translations (`plan.errors.<key>`); schema errors have none. */
  key?: string;
  params?: MessageParams;
}

export type PlanCheck = { ok: true; document: PlanDocument } | { ok: false; errors: PlanError[] };

const schema = Compile(PlanSchema);

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** TypeBox's errors as one line per field: missing and unknown properties point at the property itself. */
function schemaErrors(value: unknown): PlanError[] {
  const out: PlanError[] = [];
  for (const e of schema.Errors(value) as Iterable<SchemaError>) {
    // An unknown property is reported twice (on the property and on its object); keep the precise one.
    if (e.keyword === "additionalProperties") continue;
    if (e.keyword === "required") {
      for (const p of e.params.requiredProperties as string[]) {
        out.push({ pointer: `${e.instancePath}/${p}`, message: `"${p}" is required` });
      }
    } else if (e.keyword === "boolean") {
      out.push({ pointer: e.instancePath, message: `"${e.instancePath.split("/").at(-1)}" is not allowed here` });
    } else {
      out.push({ pointer: e.instancePath, message: e.message });
    }
  }
  return out;
}

/** Rules the schema cannot express: references, orderings and values no schedule or clock can have. */
export function semanticErrors(doc: PlanDocument): PlanError[] {
  const errors: PlanError[] = Object.entries(doc.calendars).flatMap(([id, cal]) =>
    calendarErrors(cal, `/calendars/${id}`),
  );
  const calendarRef = (pointer: string, id: string) => {
    const calendar = calendarOf(doc, id);
    if (!calendar) {
      errors.push({
        pointer,
        message: `unknown calendar "${id}" (known: ${Object.keys(doc.calendars).join(", ")})`,
        key: "unknownCalendar",
        params: { calendar: text(id), known: text(Object.keys(doc.calendars).join(", ")) },
      });
    }
    return calendar;
  };

  for (const id of tierIds) {
    const rt = doc.tiers[id].responseTime;
    const cal = calendarRef(`/tiers/${id}/responseTime/calendar`, rt.calendar);
    if (openMinutes(rt.target, cal) > openMinutes(rt.maximum, cal)) {
      errors.push({
        pointer: `/tiers/${id}/responseTime/target`,
        message: `target ${describeDuration(rt.target)} is longer than the maximum ${describeDuration(rt.maximum)}`,
        key: "targetAboveMaximum",
        params: { target: duration(rt.target), maximum: duration(rt.maximum) },
      });
    }
  }

  for (const id of severityIds) {
    const sev = doc.severities[id];
    const cal = calendarRef(`/severities/${id}/calendar`, sev.calendar);
    if (openMinutes(sev.response, cal) > openMinutes(sev.resolution, cal)) {
      errors.push({
        pointer: `/severities/${id}/response`,
        message: `response ${describeDuration(sev.response)} is longer than the resolution ${describeDuration(sev.resolution)}`,
        key: "responseAboveResolution",
        params: { response: duration(sev.response), resolution: duration(sev.resolution) },
      });
    }
    doc.escalation[id].steps.forEach((step, i) => {
      const pointer = `/escalation/${id}/steps/${i}/value`;
      const deadline = step.clock === "response" ? sev.response : sev.resolution;
      if (step.trigger === "percentElapsed" && step.value > 100) {
        errors.push({
          pointer,
          message: `${step.value}% is more than 100% of the deadline`,
          key: "percentAboveDeadline",
          params: { percent: { type: "number", value: step.value } },
        });
      }
      if (step.trigger === "minutesBeforeBreach" && step.value >= openMinutes(deadline, cal)) {
        errors.push({
          pointer,
          message: `${step.value} minutes before breach is before the ${step.clock} clock starts (${describeDuration(deadline)})`,
          key: "beforeClockStarts",
          params: { minutes: { type: "minutes", value: step.value }, deadline: duration(deadline) },
        });
      }
    });
  }

  policyErrors(doc, calendarRef, errors);

  for (const kind of ["full", "incremental"] as const) {
    const b = doc.backups[kind];
    if (!isTimeZone(b.timezone))
      errors.push({
        pointer: `/backups/${kind}/timezone`,
        message: `unknown time zone "${b.timezone}"`,
        key: "unknownTimeZone",
        params: { zone: text(b.timezone) },
      });
    try {
      new Cron(b.cron, { paused: true });
    } catch (err) {
      errors.push({
        pointer: `/backups/${kind}/cron`,
        message: `not a cron expression: ${(err as Error).message}`,
        key: "notCron",
        params: { cron: text(b.cron) },
      });
    }
  }

  const w = doc.maintenanceWindow;
  if (!isTimeZone(w.timezone))
    errors.push({
      pointer: "/maintenanceWindow/timezone",
      message: `unknown time zone "${w.timezone}"`,
      key: "unknownTimeZone",
      params: { zone: text(w.timezone) },
    });
  if (minuteOfDay(w.end) <= minuteOfDay(w.start)) {
    errors.push({
      pointer: "/maintenanceWindow/end",
      message: `ends at ${w.end}, not after its start ${w.start}`,
      key: "endNotAfterStart",
      params: { start: text(w.start), end: text(w.end) },
    });
  }

  if (!isDate(doc.review.lastReviewedAt)) {
    errors.push({
      pointer: "/review/lastReviewedAt",
      message: `${doc.review.lastReviewedAt} is not a date`,
      key: "notADate",
      params: { value: text(doc.review.lastReviewedAt) },
    });
  }
  return errors;
}

/**
 * SLA policies: unique ids (not the implicit last one's), known calendars, and targets that keep their order
 * once merged with the plan's (a tier's target within its maximum, a severity's response within its resolution).
 */
function policyErrors(
  doc: PlanDocument,
  calendarRef: (pointer: string, id: string) => ReturnType<typeof calendarOf>,
  errors: PlanError[],
): void {
  const seen = new Set<string>();
  (doc.slaPolicies ?? []).forEach((policy, i) => {
    const at = `/slaPolicies/${i}`;
    if (policy.id === DEFAULT_SLA_POLICY_ID) {
      errors.push({
        pointer: `${at}/id`,
        message: `"${DEFAULT_SLA_POLICY_ID}" is the plan's own targets; choose another id`,
        key: "reservedPolicyId",
        params: { id: text(policy.id) },
      });
    } else if (seen.has(policy.id)) {
      errors.push({
        pointer: `${at}/id`,
        message: `another policy already has the id "${policy.id}"`,
        key: "duplicatePolicyId",
        params: { id: text(policy.id) },
      });
    }
    seen.add(policy.id);
    for (const id of tierIds) {
      const o = policy.tiers?.[id];
      if (!o) continue;
      const rt = { ...doc.tiers[id].responseTime, ...o };
      const cal =
        o.calendar === undefined ? calendarOf(doc, rt.calendar) : calendarRef(`${at}/tiers/${id}/calendar`, o.calendar);
      if (cal && openMinutes(rt.target, cal) > openMinutes(rt.maximum, cal)) {
        errors.push({
          pointer: `${at}/tiers/${id}/${o.target ? "target" : "maximum"}`,
          message: `target ${describeDuration(rt.target)} is longer than the maximum ${describeDuration(rt.maximum)}`,
          key: "targetAboveMaximum",
          params: { target: duration(rt.target), maximum: duration(rt.maximum) },
        });
      }
    }
    for (const id of severityIds) {
      const o = policy.severities?.[id];
      if (!o) continue;
      const sev = { ...doc.severities[id], ...o };
      const cal =
        o.calendar === undefined
          ? calendarOf(doc, sev.calendar)
          : calendarRef(`${at}/severities/${id}/calendar`, o.calendar);
      if (cal && openMinutes(sev.response, cal) > openMinutes(sev.resolution, cal)) {
        errors.push({
          pointer: `${at}/severities/${id}/${o.response ? "response" : "resolution"}`,
          message: `response ${describeDuration(sev.response)} is longer than the resolution ${describeDuration(sev.resolution)}`,
          key: "responseAboveResolution",
          params: { response: duration(sev.response), resolution: duration(sev.resolution) },
        });
      }
    }
  });
}

/** Schema first (shape and ranges), then the semantic rules on a well-formed document. */
export function checkPlan(value: unknown): PlanCheck {
  const shape = schemaErrors(value);
  if (shape.length) return { ok: false, errors: shape };
  const document = value as PlanDocument;
  const errors = semanticErrors(document);
  return errors.length ? { ok: false, errors } : { ok: true, document };
}
