import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import alertsEn from "../features/alerts/i18n/en.json";
import alertsPtBR from "../features/alerts/i18n/pt-BR.json";
import auditLogEn from "../features/audit/i18n/en.json";
import auditLogPtBR from "../features/audit/i18n/pt-BR.json";
import backupsEn from "../features/backups/i18n/en.json";
import backupsPtBR from "../features/backups/i18n/pt-BR.json";
import chatEn from "../features/chat/i18n/en.json";
import chatPtBR from "../features/chat/i18n/pt-BR.json";
import incidentsEn from "../features/incidents/i18n/en.json";
import incidentsPtBR from "../features/incidents/i18n/pt-BR.json";
import kbEn from "../features/kb/i18n/en.json";
import kbPtBR from "../features/kb/i18n/pt-BR.json";
import kbMoreEn from "../features/kb/i18n-more/en.json";
import kbMorePtBR from "../features/kb/i18n-more/pt-BR.json";
import monitoringEn from "../features/monitoring/i18n/en.json";
import monitoringPtBR from "../features/monitoring/i18n/pt-BR.json";
import notificationPrefsEn from "../features/notifications/i18n/en.json";
import notificationPrefsPtBR from "../features/notifications/i18n/pt-BR.json";
import oncallEn from "../features/oncall/i18n/en.json";
import oncallPtBR from "../features/oncall/i18n/pt-BR.json";
import portalEn from "../features/portal/i18n/en.json";
import portalPtBR from "../features/portal/i18n/pt-BR.json";
import schedulingEn from "../features/scheduling/i18n/en.json";
import schedulingPtBR from "../features/scheduling/i18n/pt-BR.json";
import statusEn from "../features/status/i18n/en.json";
import statusPtBR from "../features/status/i18n/pt-BR.json";
import telephonyEn from "../features/telephony/i18n/en.json";
import telephonyPtBR from "../features/telephony/i18n/pt-BR.json";
import ticketConsoleEn from "../features/tickets/i18n/en.json";
import ticketConsolePtBR from "../features/tickets/i18n/pt-BR.json";
import en from "./en.json";
import ptBR from "./pt-BR.json";

export const languages = [
  { code: "pt-BR", label: "Português", short: "PT" },
  { code: "en", label: "English", short: "EN" },
] as const;
export type Language = (typeof languages)[number]["code"];

const STORAGE_KEY = "plantao.language";
const DEFAULT_LANGUAGE: Language = "pt-BR";

// English must carry every Portuguese key: a missing one is a type error, not a blank label at runtime.
// Large features keep their strings beside them, under their own top-level key.
const ptBRAll = {
  ...ptBR,
  monitoring: monitoringPtBR,
  backups: backupsPtBR,
  oncall: oncallPtBR,
  alerts: alertsPtBR,
  ticketConsole: ticketConsolePtBR,
  notificationPrefs: notificationPrefsPtBR,
  incidents: incidentsPtBR,
  portal: portalPtBR,
  statusPage: statusPtBR,
  scheduling: schedulingPtBR,
  kb: kbPtBR,
  chat: chatPtBR,
  kbMore: kbMorePtBR,
  phone: telephonyPtBR,
  auditLog: auditLogPtBR,
};
const enAll = {
  ...en,
  monitoring: monitoringEn,
  backups: backupsEn,
  oncall: oncallEn,
  alerts: alertsEn,
  ticketConsole: ticketConsoleEn,
  notificationPrefs: notificationPrefsEn,
  incidents: incidentsEn,
  portal: portalEn,
  statusPage: statusEn,
  scheduling: schedulingEn,
  kb: kbEn,
  chat: chatEn,
  kbMore: kbMoreEn,
  phone: telephonyEn,
  auditLog: auditLogEn,
};
export const resources = {
  "pt-BR": { translation: ptBRAll },
  en: { translation: enAll satisfies typeof ptBRAll },
} as const;

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: (typeof resources)["pt-BR"];
  }
}

function isLanguage(value: unknown): value is Language {
  return languages.some((l) => l.code === value);
}

function storedLanguage(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

/** The first of the browser's languages we speak ("en-GB" reads English), else the default. */
export function browserLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const exact = languages.find((l) => l.code.toLowerCase() === tag.toLowerCase());
    if (exact) return exact.code;
    const base = languages.find((l) => l.code.split("-")[0] === tag.split("-")[0]?.toLowerCase());
    if (base) return base.code;
  }
  return DEFAULT_LANGUAGE;
}

/**
 * Switches to a language someone chose (or whose profile says so) and remembers it for the next visit; until
 * then, the browser's languages decide (the login page of a new visitor).
 */
export function chooseLanguage(lng: string): void {
  if (!isLanguage(lng)) return;
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Storage may be disabled (private mode); the choice then lasts for this page only.
  }
  if (i18n.language !== lng) void i18n.changeLanguage(lng);
}

/** The language is announced to the browser through `<html lang>`. */
export async function setupI18n(): Promise<typeof i18n> {
  i18n.on("languageChanged", (lng) => {
    document.documentElement.lang = lng;
  });
  await i18n.use(initReactI18next).init({
    resources,
    lng: storedLanguage() ?? browserLanguage(navigator.languages ?? [navigator.language]),
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: languages.map((l) => l.code),
    interpolation: { escapeValue: false },
  });
  return i18n;
}
