import type { TFunction } from "i18next";

/** The labels the server records for actions no signed-in user took: stable ids, each with a message. */
const systemActors = {
  bootstrap: "bootstrap",
  setup: "setup",
  cli: "cli",
  "reset-link": "resetLink",
  "on-call page": "onCallPage",
  alerts: "alerts",
  system: "system",
} as const;

/**
 * Who did an audited action, in the reader's language: a user's email as recorded, a system actor by name, an
 * acknowledgement through a page's signed link with the user it was sent to.
 */
export function actorLabel(label: string | null | undefined, t: TFunction): string {
  if (!label) return "—";
  if (Object.hasOwn(systemActors, label)) return t(`audit.actors.${systemActors[label as keyof typeof systemActors]}`);
  if (label.startsWith("link:")) return t("audit.actors.pageLink", { user: label.slice("link:".length) });
  return label;
}
