import i18n from "i18next";
import { initReactI18next } from "react-i18next";
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
export const resources = {
  "pt-BR": { translation: ptBR },
  en: { translation: en satisfies typeof ptBR },
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
