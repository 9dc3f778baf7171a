import { SegmentedControl } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { languages } from "../i18n";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("shell.language")}
      value={i18n.resolvedLanguage ?? i18n.language}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      data={languages.map((l) => ({ value: l.code, label: <span title={l.label}>{l.short}</span> }))}
    />
  );
}
