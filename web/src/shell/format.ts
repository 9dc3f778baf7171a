import { useTranslation } from "react-i18next";
import { useOptionalUser } from "../auth/AuthProvider";

const MINUTE = 60_000;

/** Minutes as hours and minutes, "1 h 20 min"; whole days past 48 h, "3 d 4 h". Units read the same in pt-BR and en. */
export function compactDuration(minutes: number): string {
  const total = Math.round(Math.abs(minutes));
  if (total < 60) return `${total} min`;
  if (total >= 48 * 60) {
    const days = Math.floor(total / (24 * 60));
    const hours = Math.round((total - days * 24 * 60) / 60);
    return hours ? `${days} d ${hours} h` : `${days} d`;
  }
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a `YYYY-MM-DDTHH:mm` wall-clock time in `timeZone` (what a datetime-local input gives), or
 * null when the text is not one. The offset is settled twice so times next to a DST change come out right; a
 * time the change skips has no instant and comes out an hour off.
 */
export function zonedInstant(local: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (Number.isNaN(wall)) return null;
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return new Date(instant);
}

/** An instant as the `YYYY-MM-DDTHH:mm` wall-clock time of `timeZone`, for a datetime-local input. */
export function zonedInput(instant: Date, timeZone: string): string {
  return new Date(instant.getTime() + zoneOffset(instant.getTime(), timeZone)).toISOString().slice(0, 16);
}

/**
 * An instant as the one date-and-time format of a language, in `timeZone`: "06/12/2026 05:53" in pt-BR,
 * "12/06/2026 05:53" in English (24-hour clock in both, no comma).
 */
export function formatDateTime(iso: string, locale: string, timeZone: string, seconds = false): string {
  return dateTimeFormat(locale, timeZone, seconds).format(new Date(iso)).replace(", ", " ");
}

/**
 * Formatters by language, zone and precision, made once: making one costs far more than formatting with it,
 * and the queue formats two instants per row for each of its 200 rows every second.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(locale: string, timeZone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${locale}\0${timeZone}\0${seconds}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      ...(seconds ? { second: "2-digit" as const } : {}),
      hourCycle: "h23",
      timeZone,
    });
    dateTimeFormats.set(key, format);
  }
  return format;
}

/** A number in the reader's language: decimal comma in pt-BR. */
export function formatNumber(value: number, locale: string, digits = 1): string {
  return value.toLocaleString(locale, { maximumFractionDigits: digits });
}

/** Milliseconds as seconds with one decimal, "0,4 s" in pt-BR and "0.4 s" in English. */
export function formatSeconds(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined) return "—";
  return `${(ms / 1000).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;
}

/** Dates and times in the reader's language and the user's own time zone (else the browser's). */
export function useFormat() {
  const { i18n, t } = useTranslation();
  const timeZone = useOptionalUser()?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const dateTime = (iso: string | null | undefined) => (iso ? formatDateTime(iso, i18n.language, timeZone) : "—");
  /** With seconds, for logs and events. */
  const preciseTime = (iso: string | null | undefined) =>
    iso ? formatDateTime(iso, i18n.language, timeZone, true) : "—";
  const date = (iso: string | null | undefined) =>
    iso
      ? new Date(iso).toLocaleDateString(i18n.language, { day: "2-digit", month: "2-digit", year: "numeric", timeZone })
      : "—";
  const number = (value: number | null | undefined, digits = 1) =>
    value === null || value === undefined ? "—" : formatNumber(value, i18n.language, digits);
  const seconds = (ms: number | null | undefined) => formatSeconds(ms, i18n.language);
  /** With the weekday, for deadlines: "seg., 30/11/2026, 09:00". */
  const deadline = (iso: string | null | undefined) =>
    iso
      ? new Date(iso).toLocaleString(i18n.language, {
          weekday: "short",
          day: "2-digit",
          month: "2-digit",
          year: "numeric",
          hour: "2-digit",
          minute: "2-digit",
          timeZone,
        })
      : "—";
  /** How far an instant is from `now`: "em 25 min" / "in 25 min", "há 2 h" / "2 h ago". */
  const relative = (iso: string, now: number) => {
    const minutes = (new Date(iso).getTime() - now) / MINUTE;
    const time = compactDuration(minutes);
    return minutes >= 0 ? t("common.inTime", { time }) : t("common.timeAgo", { time });
  };
  return { dateTime, preciseTime, date, deadline, relative, number, seconds, timeZone };
}
