import { Cron } from "croner";
import cronstrue from "cronstrue";
import "cronstrue/locales/pt_BR";

/** A cron expression in words, in the reader's language ("Às 02:00" / "At 02:00 AM" → 24-hour in both). */
export function describeCron(expression: string, language: string): string {
  try {
    return cronstrue.toString(expression, {
      locale: language === "pt-BR" ? "pt_BR" : "en",
      use24HourTimeFormat: true,
      verbose: false,
      throwExceptionOnParseError: true,
    });
  } catch {
    return expression;
  }
}

/** The next `count` runs of a cron schedule in its IANA zone, as ISO instants (none when the expression is bad). */
export function nextRuns(expression: string, timeZone: string, count: number, from = new Date()): string[] {
  try {
    return new Cron(expression, { timezone: timeZone, paused: true }).nextRuns(count, from).map((d) => d.toISOString());
  } catch {
    return [];
  }
}
