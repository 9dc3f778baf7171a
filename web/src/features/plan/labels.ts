import { useTranslation } from "react-i18next";

/**
 * The names the default plan ships with, in Portuguese. A plan that still carries one of them shows the
 * reader's language instead; a name the provider wrote itself is their data and shows as written.
 */
const shipped = {
  severities: { critical: "Crítico", high: "Alto", medium: "Médio", low: "Baixo" },
  tiers: { L1: "Nível 1: Suporte Básico", L2: "Nível 2: Suporte Técnico", L3: "Nível 3: Suporte Especializado" },
  calendars: { comercial: "Horário comercial", "24x7": "24x7" },
} as const;

type Kind = keyof typeof shipped;
const channels = ["email", "chat", "phone", "ticket", "scheduled_call"] as const;
const notifyTargets = ["assignee", "noc", "manager", "admin", "emergencyContacts", "L1", "L2", "L3"] as const;

function isShipped(kind: Kind, id: string, name: string | undefined): boolean {
  return (shipped[kind] as Record<string, string>)[id] === (name ?? (shipped[kind] as Record<string, string>)[id]);
}

/** Labels of the plan's own ids (severities, tiers, calendars, channels, who is notified) in the reader's language. */
export function usePlanLabels() {
  const { t } = useTranslation();
  const label = (kind: Kind, id: string, name?: string) =>
    isShipped(kind, id, name) ? t(`plan.shipped.${kind}.${id}` as "plan.shipped.severities.critical") : (name ?? id);
  return {
    severity: (id: string, name?: string) => label("severities", id, name),
    tier: (id: string, name?: string) => label("tiers", id, name),
    calendar: (id: string, name?: string) => label("calendars", id, name),
    channel: (c: string) =>
      (channels as readonly string[]).includes(c) ? t(`plan.channelNames.${c as (typeof channels)[number]}`) : c,
    notify: (who: string) =>
      (notifyTargets as readonly string[]).includes(who)
        ? t(`plan.notifyTargets.${who as (typeof notifyTargets)[number]}`)
        : who,
  };
}
