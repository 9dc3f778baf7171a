import { useTranslation } from "react-i18next";
import { compactDuration } from "../../shell/format";
import { elapsed } from "./model";

/** How long ago an instant was: "agora mesmo" under a minute, else "há 5 min" ("5 min ago"). */
export function useAgo() {
  const { t } = useTranslation();
  return (iso: string, now: number) => {
    const ms = elapsed(iso, now);
    return ms < 60_000 ? t("monitoring.justNow") : t("common.timeAgo", { time: compactDuration(ms / 60_000) });
  };
}
