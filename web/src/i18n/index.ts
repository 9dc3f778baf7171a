import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import backupsEn from "../features/backups/i18n/en.json";
import backupsPtBR from "../features/backups/i18n/pt-BR.json";
import monitoringEn from "../features/monitoring/i18n/en.json";
import monitoringPtBR from "../features/monitoring/i18n/pt-BR.json";
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
const ptBRAll = { ...ptBR, monitoring: monitoringPtBR, backups: backupsPtBR };
const enAll = { ...en, monitoring: monitoringEn, backups: backupsEn };
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

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

/** The chosen language is remembered across visits and announced to the browser through `<html lang>`. */
export async function setupI18n(): Promise<typeof i18n> {
  i18n.on("languageChanged", (lng) => {
    document.documentElement.lang = lng;
    try {
      localStorage.setItem(STORAGE_KEY, lng);
    } catch {
      // Storage may be disabled (private mode); the choice then lasts for this page only.
    }
  });
  await i18n.use(initReactI18next).init({
    resources,
    lng: storedLanguage(),
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: languages.map((l) => l.code),
    interpolation: { escapeValue: false },
  });
  return i18n;
}
