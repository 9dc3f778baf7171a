import { type Static, Type } from "typebox";
import { channels, ticketTypes } from "../tickets/model.js";

/**
 * The support and maintenance plan as configuration: one typed document, stored in versions. The
 * product's defaults are the values of "Plano de Suporte e Manutenção" (see `defaultPlan`).
 */

const strict = { additionalProperties: false } as const;
const text = (description: string, maxLength = 500) => Type.String({ minLength: 1, maxLength, description });
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string, maxItems = 50) =>
  Type.Array(item, { maxItems, description });

export const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof weekdays)[number];

export const severityIds = ["critical", "high", "medium", "low"] as const;
export type SeverityId = (typeof severityIds)[number];

export const tierIds = ["L1", "L2", "L3"] as const;
export type TierId = (typeof tierIds)[number];

/** One of fixed strings; `enum` rather than a union of literals so a wrong value is one clear error. */
const literals = <const T extends readonly string[]>(values: T, description: string) =>
  Type.Enum([...values] as T[number][], { description });

export const CalendarId = Type.String({
  pattern: "^[a-z0-9][a-z0-9_-]{0,39}$",
  description: "Id of a business calendar of this plan (a key of `calendars`)",
});
const TimeOfDay = Type.String({
  pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
  description: "Local time HH:MM (24:00 = end of day)",
});
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. America/Sao_Paulo" });
const Percent = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });
const Cron = Type.String({
  minLength: 9,
  maxLength: 120,
  description: "Cron expression: minute hour day-of-month month weekday",
});

export const cadences = [
  "immediate",
  "daily",
  "weekly",
  "biweekly",
  "monthly",
  "quarterly",
  "semiannual",
  "yearly",
] as const;
export type Cadence = (typeof cadences)[number];
const CadenceSchema = (description: string) => literals(cadences, description);

/** A span of time measured on a calendar: minutes and hours count only open time of that calendar. */
export const Duration = Type.Object(
  {
    value: Type.Number({ exclusiveMinimum: 0, maximum: 100000, description: "Amount, greater than zero" }),
    unit: literals(
      ["minutes", "hours", "businessDays"] as const,
      "Unit; businessDays are whole open days of the calendar",
    ),
  },
  { ...strict, description: "A duration counted on a business calendar" },
);
export type Duration = Static<typeof Duration>;

/** A span of wall-clock time (disasters do not wait for business hours). */
export const WallDuration = Type.Object(
  {
    value: Type.Number({ exclusiveMinimum: 0, maximum: 100000, description: "Amount, greater than zero" }),
    unit: literals(["minutes", "hours"] as const, "Unit"),
  },
  { ...strict, description: "A wall-clock duration" },
);
export type WallDuration = Static<typeof WallDuration>;

const RetentionPeriod = Type.Object(
  {
    value: Type.Integer({ minimum: 1, maximum: 1000, description: "Amount" }),
    unit: literals(["days", "weeks", "months", "years"] as const, "Unit"),
  },
  { ...strict, description: "How long copies are kept" },
);

const Interval = Type.Object(
  { start: TimeOfDay, end: TimeOfDay },
  { ...strict, description: "An open interval of a day, local time; end after start" },
);
export type Interval = Static<typeof Interval>;

const Week = Type.Object(
  Object.fromEntries(
    weekdays.map((d) => [d, list(Interval, `Open intervals on ${d}, not overlapping, in any order`, 12)]),
  ) as Record<Weekday, ReturnType<typeof Type.Array<typeof Interval>>>,
  { ...strict, description: "Opening hours per weekday; several intervals per day are allowed" },
);

const Holidays = Type.Object(
  {
    country: Type.String({ pattern: "^[A-Z]{2}$", description: "ISO 3166-1 country code of the public holidays" }),
    state: Type.Optional(Type.String({ pattern: "^[A-Z0-9]{1,3}$", description: "State or province code (e.g. SP)" })),
    city: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 60,
        description: "City code inside the state, when it has its own holidays (e.g. SP)",
      }),
    ),
    types: Type.Array(literals(["public", "bank", "school", "optional", "observance"] as const, "Holiday kind"), {
      minItems: 1,
      uniqueItems: true,
      description: "Which kinds of holiday close the calendar",
    }),
    custom: list(
      Type.Object(
        {
          date: Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "Closed date YYYY-MM-DD" }),
          name: text("What is observed", 120),
        },
        strict,
      ),
      "Extra closed dates (company days off)",
      366,
    ),
  },
  { ...strict, description: "Days the calendar is closed" },
);

export const Calendar = Type.Object(
  {
    name: text("Display name", 120),
    timezone: TimeZone,
    alwaysOpen: Type.Boolean({ description: "Open every minute of the year (24x7); then `week` is empty" }),
    week: Week,
    holidays: Type.Optional(Holidays),
  },
  { ...strict, description: "A business calendar: when SLA clocks run" },
);
export type Calendar = Static<typeof Calendar>;

const Channel = literals(
  ["email", "chat", "phone", "ticket", "scheduled_call"] as const,
  "Contact channel (ticket = the portal)",
);

const ResponseTime = Type.Object(
  {
    target: Duration,
    maximum: Duration,
    calendar: CalendarId,
  },
  { ...strict, description: "Aimed-for (target) and worst acceptable (maximum) time to first response" },
);

const Tier = Type.Object(
  {
    name: text("Display name", 120),
    responsibilities: list(text("A responsibility", 200), "What this level does"),
    channels: Type.Array(Channel, { minItems: 1, uniqueItems: true, description: "Channels this level answers" }),
    examples: list(text("An example case", 200), "Typical cases"),
    severities: Type.Array(literals(severityIds, "Severity"), {
      uniqueItems: true,
      description: "Severities of the tickets this level answers first",
    }),
    responseTime: ResponseTime,
  },
  { ...strict, description: "A support level" },
);
export type Tier = Static<typeof Tier>;

const Severity = Type.Object(
  {
    name: text("Display name", 120),
    description: text("When a ticket has this severity"),
    response: Duration,
    resolution: Duration,
    calendar: CalendarId,
  },
  { ...strict, description: "A severity class with its SLA targets" },
);
export type Severity = Static<typeof Severity>;

const EscalationStep = Type.Object(
  {
    clock: literals(["response", "resolution"] as const, "Which SLA deadline the step watches"),
    trigger: literals(["percentElapsed", "minutesBeforeBreach"] as const, "How `value` is read"),
    value: Type.Number({
      minimum: 0,
      description: "Percent of the deadline elapsed (0-100), or minutes before the breach",
    }),
    notify: Type.Array(
      literals(
        [
          "assignee",
          "team",
          "L1",
          "L2",
          "L3",
          "manager",
          "admin",
          "noc",
          "security",
          "emergencyContacts",
          "customerContact",
        ] as const,
        "Who: team is the ticket's team; customerContact is the requester, in words meant for customers",
      ),
      { minItems: 1, uniqueItems: true, description: "Who is notified" },
    ),
    reassignTo: Type.Optional(literals(tierIds, "Move the ticket to this support tier when the step fires")),
    raiseSeverityTo: Type.Optional(literals(severityIds, "Raise the ticket to this severity (never lowers it)")),
    openHoursOnly: Type.Optional(
      Type.Boolean({
        description:
          "Send this step's notifications only while the severity's calendar is open; else at the next opening",
      }),
    ),
  },
  {
    ...strict,
    description:
      "One step of the escalation matrix: who is notified, and optionally a reassignment or a severity raise",
  },
);

const Escalation = Type.Object(
  {
    maxTimePerLevel: Duration,
    steps: list(EscalationStep, "Notifications, in order", 20),
  },
  { ...strict, description: "Escalation of one severity; durations on the severity's calendar" },
);

/** Id of the implicit last policy: the plan's own severities and tiers. */
export const DEFAULT_SLA_POLICY_ID = "default";

const nonEmpty = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string, maxItems = 100) =>
  Type.Array(item, { minItems: 1, maxItems, uniqueItems: true, description });

const SlaPolicyConditions = Type.Object(
  {
    types: Type.Optional(nonEmpty(literals(ticketTypes, "Ticket type"), "Any of these ticket types")),
    severities: Type.Optional(nonEmpty(literals(severityIds, "Severity"), "Any of these severities")),
    tiers: Type.Optional(nonEmpty(literals(tierIds, "Support level"), "Any of these support levels")),
    organizationIds: Type.Optional(
      nonEmpty(
        Type.String({
          pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
          description: "Id of a customer organization (its contract), lowercase",
        }),
        "Any of these organizations",
        500,
      ),
    ),
    channels: Type.Optional(nonEmpty(literals(channels, "Channel"), "Any of these channels")),
  },
  {
    ...strict,
    description:
      "When the policy applies: every condition given must hold (a ticket's value is one of the listed); no condition matches every ticket",
  },
);

const SeverityTargets = Type.Object(
  { response: Type.Optional(Duration), resolution: Type.Optional(Duration), calendar: Type.Optional(CalendarId) },
  { ...strict, description: "Replaces the severity's response, resolution and/or calendar" },
);
const TierTargets = Type.Object(
  { target: Type.Optional(Duration), maximum: Type.Optional(Duration), calendar: Type.Optional(CalendarId) },
  { ...strict, description: "Replaces the tier's response target, maximum and/or calendar" },
);

export const SlaPolicyDefinition = Type.Object(
  {
    id: Type.String({
      pattern: "^[a-z0-9][a-z0-9_-]{0,39}$",
      description: `Unique id of the policy ("${DEFAULT_SLA_POLICY_ID}" is the implicit last one)`,
    }),
    name: text("Display name", 120),
    conditions: SlaPolicyConditions,
    severities: Type.Optional(
      Type.Object(
        Object.fromEntries(severityIds.map((s) => [s, Type.Optional(SeverityTargets)])) as Record<
          SeverityId,
          ReturnType<typeof Type.Optional<typeof SeverityTargets>>
        >,
        { ...strict, description: "Targets by severity that differ from the plan's" },
      ),
    ),
    tiers: Type.Optional(
      Type.Object(
        Object.fromEntries(tierIds.map((t) => [t, Type.Optional(TierTargets)])) as Record<
          TierId,
          ReturnType<typeof Type.Optional<typeof TierTargets>>
        >,
        { ...strict, description: "Tier response times that differ from the plan's" },
      ),
    ),
  },
  {
    ...strict,
    description: "An SLA policy: targets for the tickets its conditions select; what it leaves out is the plan's",
  },
);
export type SlaPolicyDefinition = Static<typeof SlaPolicyDefinition>;

const UpdateTrack = Type.Object(
  {
    cadence: CadenceSchema("How often updates of this kind ship"),
    afterValidation: Type.Boolean({ description: "Validated in the staging environment first" }),
    inMaintenanceWindow: Type.Boolean({ description: "Applied inside the maintenance window" }),
  },
  { ...strict, description: "A kind of update" },
);

const byKey = <K extends readonly string[], T extends Parameters<typeof Type.Object>[0][string]>(
  keys: K,
  item: T,
  description: string,
) => Type.Object(Object.fromEntries(keys.map((k) => [k, item])) as Record<K[number], T>, { ...strict, description });

export const PlanDocument = Type.Object(
  {
    schemaVersion: Type.Literal(1, { description: "Version of this document's format" }),
    calendars: Type.Record(CalendarId, Calendar, {
      ...strict,
      minProperties: 1,
      maxProperties: 50,
      description: "Business calendars by id",
    }),
    tiers: byKey(tierIds, Tier, "Support levels L1-L3"),
    severities: byKey(severityIds, Severity, "Severity classes"),
    escalation: byKey(severityIds, Escalation, "Escalation matrix by severity"),
    slaPolicies: Type.Optional(
      list(
        SlaPolicyDefinition,
        "SLA policies in order: the first whose conditions match a ticket applies; none matching, the plan's own severities and tiers",
        100,
      ),
    ),
    backups: Type.Object(
      {
        full: Type.Object({ cron: Cron, timezone: TimeZone }, { ...strict, description: "Full backup schedule" }),
        incremental: Type.Object(
          { cron: Cron, timezone: TimeZone },
          { ...strict, description: "Incremental backup schedule" },
        ),
        retention: Type.Object(
          { daily: RetentionPeriod, weekly: RetentionPeriod, monthly: RetentionPeriod },
          { ...strict, description: "How long daily, weekly and monthly copies are kept" },
        ),
        restoreTest: Type.Object(
          {
            cadence: CadenceSchema("How often a backup is restored as a test"),
            validateIntegrity: Type.Boolean({ description: "The restored data is checked, not just restored" }),
            timeLimit: WallDuration,
          },
          {
            ...strict,
            description: "Restore test; it passes only within `timeLimit`, which is what it proves about the RTO",
          },
        ),
      },
      { ...strict, description: "Backups" },
    ),
    updates: Type.Object(
      { security: UpdateTrack, fixes: UpdateTrack, improvements: UpdateTrack },
      { ...strict, description: "Update cadence" },
    ),
    maintenanceWindow: Type.Object(
      {
        days: Type.Array(literals(weekdays, "Weekday"), {
          minItems: 1,
          uniqueItems: true,
          description: "Days the window may be used",
        }),
        start: TimeOfDay,
        end: TimeOfDay,
        timezone: TimeZone,
        noticeHours: Type.Integer({ minimum: 0, maximum: 720, description: "Hours of prior notice to customers" }),
      },
      { ...strict, description: "When planned maintenance happens" },
    ),
    security: Type.Object(
      {
        vulnerabilityScan: CadenceSchema("Vulnerability scans"),
        penetrationTest: CadenceSchema("Penetration tests"),
        accessAudit: CadenceSchema("Access audits"),
      },
      { ...strict, description: "Security routine" },
    ),
    kpis: Type.Object(
      {
        availability: Type.Object(
          {
            systemUptimePercent: Percent("Target uptime of the platform"),
            serviceAvailabilityPercent: Percent("Target availability of the telephony services"),
            mtbfReview: CadenceSchema("How often the mean time between failures is reviewed"),
            maintenanceCountsAsDowntime: Type.Boolean({
              description: "Planned maintenance counts against the uptime targets",
            }),
          },
          strict,
        ),
        support: Type.Object(
          {
            firstContactResolutionPercent: Percent("Target share of tickets solved at first contact"),
            satisfactionSurveyAfterTicket: Type.Boolean({ description: "Customers are surveyed after each ticket" }),
          },
          strict,
        ),
        performance: Type.Object(
          {
            apiResponseBelowMs: Type.Integer({
              minimum: 1,
              maximum: 600000,
              description: "API response time target (ms)",
            }),
            pageLoadBelowMs: Type.Integer({ minimum: 1, maximum: 600000, description: "Page load time target (ms)" }),
            resourceUsageBelowPercent: Percent("Keep CPU, memory and disk use below this"),
          },
          strict,
        ),
      },
      { ...strict, description: "Performance indicators and their targets" },
    ),
    disasterRecovery: Type.Object(
      {
        rpo: WallDuration,
        rto: WallDuration,
        contingencyEnvironmentReady: Type.Boolean({ description: "A contingency environment is ready to activate" }),
        documentedChecklists: Type.Boolean({ description: "Recovery checklists are written down" }),
      },
      { ...strict, description: "Business continuity: RPO is the data that may be lost, RTO the time to recover" },
    ),
    email: Type.Optional(
      Type.Object(
        {
          ticketTag: Type.String({
            pattern: "^[^\\s\\[\\]0-9]{1,10}$",
            description: 'What precedes the ticket number in a subject: "#" makes "[#1234]"',
          }),
          closedTicket: literals(
            ["reopen", "new_linked"] as const,
            "A mail to a closed ticket reopens it, or opens a new ticket linked to it",
          ),
        },
        { ...strict, description: "Inbound email (defaults: tag #, closed tickets reopen)" },
      ),
    ),
    review: Type.Object(
      {
        cadence: literals(["monthly", "quarterly", "semiannual", "yearly"] as const, "How often the plan is reviewed"),
        lastReviewedAt: Type.String({
          pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
          description: "Date of the last review YYYY-MM-DD",
        }),
        graceDays: Type.Integer({
          minimum: 0,
          maximum: 90,
          description: "Days after the due date before the review is overdue",
        }),
      },
      { ...strict, description: "Plan review" },
    ),
  },
  { ...strict, description: "The support and maintenance plan" },
);
export type PlanDocument = Static<typeof PlanDocument>;

/** The calendar of that id; own keys only, so an id like "constructor" is unknown, not Object's. */
export function calendarOf(doc: PlanDocument, id: string): Calendar | undefined {
  return Object.hasOwn(doc.calendars, id) ? doc.calendars[id] : undefined;
}

const hours = (value: number) => ({ value, unit: "hours" as const });
const minutes = (value: number) => ({ value, unit: "minutes" as const });
const businessDays = (value: number) => ({ value, unit: "businessDays" as const });
const closed: Interval[] = [];
const workday: Interval[] = [{ start: "08:00", end: "18:00" }];

/**
 * The plan's values. `reviewedOn` is the date of the first version, so a fresh install is not overdue.
 * Values the plan leaves open (escalation steps, maintenance days, restore time limit) are our defaults.
 */
export function defaultPlan(reviewedOn: Date): PlanDocument {
  const tz = "America/Sao_Paulo";
  return {
    schemaVersion: 1,
    calendars: {
      comercial: {
        name: "Horário comercial",
        timezone: tz,
        alwaysOpen: false,
        week: {
          monday: workday,
          tuesday: workday,
          wednesday: workday,
          thursday: workday,
          friday: workday,
          saturday: closed,
          sunday: closed,
        },
        holidays: { country: "BR", types: ["public"], custom: [] },
      },
      "24x7": {
        name: "24x7",
        timezone: tz,
        alwaysOpen: true,
        week: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
      },
    },
    tiers: {
      L1: {
        name: "Nível 1: Suporte Básico",
        responsibilities: ["Atendimento inicial", "Resolução de problemas simples", "Coleta de informações"],
        channels: ["email", "chat", "phone"],
        examples: [
          "Dúvidas sobre uso da plataforma",
          "Problemas de login",
          "Configurações básicas de ramais e troncos",
        ],
        severities: ["medium", "low"],
        responseTime: { target: hours(2), maximum: hours(4), calendar: "comercial" },
      },
      L2: {
        name: "Nível 2: Suporte Técnico",
        responsibilities: ["Resolução de problemas técnicos", "Configurações avançadas"],
        channels: ["email", "ticket", "scheduled_call"],
        examples: [
          "Problemas de integração com troncos SIP",
          "Falhas em funcionalidades específicas",
          "Configurações avançadas de monitoramento",
        ],
        severities: ["high", "medium"],
        responseTime: { target: hours(4), maximum: hours(8), calendar: "comercial" },
      },
      L3: {
        name: "Nível 3: Suporte Especializado",
        responsibilities: ["Resolução de problemas complexos", "Intervenções no código", "Correções de bugs"],
        channels: ["ticket", "scheduled_call"],
        examples: ["Bugs críticos no sistema", "Problemas de desempenho", "Falhas de segurança"],
        severities: ["critical", "high"],
        responseTime: { target: businessDays(1), maximum: businessDays(2), calendar: "comercial" },
      },
    },
    severities: {
      critical: {
        name: "Crítico",
        description: "Sistema indisponível ou função crítica afetada",
        response: minutes(30),
        resolution: hours(4),
        calendar: "24x7",
      },
      high: {
        name: "Alto",
        description: "Função importante afetada, com impacto significativo",
        response: hours(2),
        resolution: hours(8),
        calendar: "24x7",
      },
      medium: {
        name: "Médio",
        description: "Função secundária afetada, com impacto limitado",
        response: hours(4),
        resolution: hours(24),
        calendar: "comercial",
      },
      low: {
        name: "Baixo",
        description: "Problema menor, sem impacto operacional",
        response: hours(8),
        resolution: hours(72),
        calendar: "comercial",
      },
    },
    escalation: {
      critical: {
        maxTimePerLevel: minutes(30),
        steps: [
          { clock: "response", trigger: "percentElapsed", value: 50, notify: ["assignee", "noc"] },
          { clock: "response", trigger: "percentElapsed", value: 100, notify: ["manager", "L3"] },
          {
            clock: "resolution",
            trigger: "minutesBeforeBreach",
            value: 60,
            notify: ["manager", "admin", "emergencyContacts"],
          },
        ],
      },
      high: {
        maxTimePerLevel: hours(2),
        steps: [
          { clock: "response", trigger: "percentElapsed", value: 75, notify: ["assignee", "noc"] },
          { clock: "resolution", trigger: "minutesBeforeBreach", value: 60, notify: ["manager"] },
        ],
      },
      medium: {
        maxTimePerLevel: hours(4),
        steps: [{ clock: "resolution", trigger: "percentElapsed", value: 80, notify: ["assignee", "manager"] }],
      },
      low: {
        maxTimePerLevel: hours(8),
        steps: [{ clock: "resolution", trigger: "percentElapsed", value: 90, notify: ["assignee"] }],
      },
    },
    slaPolicies: [],
    backups: {
      full: { cron: "0 2 * * *", timezone: tz },
      incremental: { cron: "0 */4 * * *", timezone: tz },
      retention: {
        daily: { value: 30, unit: "days" },
        weekly: { value: 3, unit: "months" },
        monthly: { value: 1, unit: "years" },
      },
      restoreTest: { cadence: "monthly", validateIntegrity: true, timeLimit: hours(4) },
    },
    updates: {
      security: { cadence: "immediate", afterValidation: true, inMaintenanceWindow: false },
      fixes: { cadence: "biweekly", afterValidation: true, inMaintenanceWindow: true },
      improvements: { cadence: "monthly", afterValidation: true, inMaintenanceWindow: true },
    },
    maintenanceWindow: {
      days: [...weekdays],
      start: "02:00",
      end: "05:00",
      timezone: tz,
      noticeHours: 48,
    },
    security: { vulnerabilityScan: "monthly", penetrationTest: "quarterly", accessAudit: "weekly" },
    kpis: {
      availability: {
        systemUptimePercent: 99.9,
        serviceAvailabilityPercent: 99.95,
        mtbfReview: "monthly",
        maintenanceCountsAsDowntime: false,
      },
      support: { firstContactResolutionPercent: 70, satisfactionSurveyAfterTicket: true },
      performance: { apiResponseBelowMs: 200, pageLoadBelowMs: 2000, resourceUsageBelowPercent: 70 },
    },
    disasterRecovery: {
      rpo: hours(1),
      rto: hours(4),
      contingencyEnvironmentReady: true,
      documentedChecklists: true,
    },
    review: { cadence: "quarterly", lastReviewedAt: reviewedOn.toISOString().slice(0, 10), graceDays: 14 },
  };
}
