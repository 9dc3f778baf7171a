import { SegmentedControl } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { type Me, meQuery, useOptionalUser } from "../auth/AuthProvider";
import { chooseLanguage, type Language, languages } from "../i18n";

/** The header's language switch: for a signed-in user the choice is saved on the profile (web, next login, mail). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const user = useOptionalUser();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: async (locale: Language) => unwrap(await api.PATCH("/api/v1/me", { body: { locale } })),
    onSuccess: (saved) => client.setQueryData<Me | null>(meQuery.queryKey, (me) => (me ? { ...me, user: saved } : me)),
  });
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("shell.language")}
      value={i18n.resolvedLanguage ?? i18n.language}
      onChange={(lng) => {
        chooseLanguage(lng);
        if (user && user.locale !== lng) save.mutate(lng as Language);
      }}
      data={languages.map((l) => ({ value: l.code, label: <span title={l.label}>{l.short}</span> }))}
    />
  );
}
