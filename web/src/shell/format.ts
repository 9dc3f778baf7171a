import { useTranslation } from "react-i18next";
import { useOptionalUser } from "../auth/AuthProvider";

/** Dates and times in the reader's language and the user's own time zone (else the browser's). */
export function useFormat() {
  const { i18n } = useTranslation();
  const timeZone = useOptionalUser()?.timezone;
  const dateTime = (iso: string | null | undefined) =>
    iso ? new Date(iso).toLocaleString(i18n.language, { dateStyle: "short", timeStyle: "short", timeZone }) : "—";
  const date = (iso: string | null | undefined) =>
    iso ? new Date(iso).toLocaleDateString(i18n.language, { dateStyle: "medium", timeZone }) : "—";
  return { dateTime, date };
}
