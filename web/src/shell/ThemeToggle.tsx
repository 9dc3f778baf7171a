import { ActionIcon, useComputedColorScheme, useMantineColorScheme } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { MoonIcon, SunIcon } from "./icons";

export function ThemeToggle() {
  const { t } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme("light");
  const next = scheme === "dark" ? "light" : "dark";
  const label = next === "dark" ? t("shell.theme.toDark") : t("shell.theme.toLight");
  return (
    <ActionIcon variant="default" size="lg" onClick={() => setColorScheme(next)} aria-label={label} title={label}>
      {next === "dark" ? <MoonIcon /> : <SunIcon />}
    </ActionIcon>
  );
}
