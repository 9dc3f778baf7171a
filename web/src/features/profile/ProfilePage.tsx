import { Button, Group, PasswordInput, Select, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { type Me, meQuery, useAuth } from "../../auth/AuthProvider";
import { chooseLanguage, languages } from "../../i18n";
import { useAfterFirstPaint } from "../../shell/deferred";
import { PageHeader } from "../../shell/PageHeader";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { Section } from "./Section";
import { TokensCard } from "./TokensCard";
import { TotpCard } from "./TotpCard";

type Patch = NonNullable<paths["/api/v1/me"]["patch"]["requestBody"]>["content"]["application/json"];

/** Saves part of the own profile and puts the answer into the signed-in user. */
function useUpdateMe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (patch: Patch) => unwrap(await api.PATCH("/api/v1/me", { body: patch })),
    onSuccess: (user) => client.setQueryData<Me | null>(meQuery.queryKey, (me) => (me ? { ...me, user } : me)),
  });
}

const zones = Intl.supportedValuesOf("timeZone");

function ProfileForm() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [name, setName] = useState(user.name);
  const [locale, setLocale] = useState(user.locale);
  const [timezone, setTimezone] = useState(user.timezone);
  const update = useUpdateMe();
  const errors = fieldErrors(update.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { name, locale: locale as "pt-BR" | "en", timezone },
      { onSuccess: (saved) => chooseLanguage(saved.locale) },
    );
  };
  return (
    <Section title={t("profile.details")}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <ProblemAlert error={update.error} />
          <TextInput
            label={t("profile.name")}
            value={name}
            error={errors["/name"]}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput label={t("profile.email")} value={user.email} disabled />
          <Select
            label={t("profile.language")}
            allowDeselect={false}
            data={languages.map((l) => ({ value: l.code, label: l.label }))}
            value={locale}
            onChange={(v) => v && setLocale(v)}
          />
          <Select
            label={t("profile.timezone")}
            searchable
            allowDeselect={false}
            data={zones.includes(timezone) ? zones : [timezone, ...zones]}
            value={timezone}
            error={errors["/timezone"]}
            onChange={(v) => v && setTimezone(v)}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={update.isPending}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function PasswordForm() {
  const { t } = useTranslation();
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const update = useUpdateMe();
  const errors = fieldErrors(update.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrent("");
          setNew("");
        },
      },
    );
  };
  return (
    <Section title={t("profile.password")}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <ProblemAlert error={Object.keys(errors).length ? null : update.error} />
          {update.isSuccess && (
            <Title order={4} size="sm" c="green" role="status">
              {t("profile.passwordChanged")}
            </Title>
          )}
          <PasswordInput
            label={t("profile.currentPassword")}
            autoComplete="current-password"
            value={currentPassword}
            error={errors["/currentPassword"]}
            onChange={(e) => setCurrent(e.currentTarget.value)}
          />
          <PasswordInput
            label={t("auth.newPassword")}
            description={t("auth.passwordRule")}
            autoComplete="new-password"
            value={newPassword}
            error={errors["/newPassword"]}
            onChange={(e) => setNew(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={update.isPending} disabled={!currentPassword || !newPassword}>
              {t("profile.changePassword")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

export function ProfilePage() {
  const { t } = useTranslation();
  // The header first: the four cards' inputs, drawn with it, painted its text late.
  const cardsShown = useAfterFirstPaint();
  return (
    <>
      <PageHeader title={t("profile.title")} subtitle={t("profile.subtitle")} />
      {cardsShown && (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ProfileForm />
            <Stack gap="lg">
              <PasswordForm />
              <TotpCard />
            </Stack>
          </SimpleGrid>
          <TokensCard />
        </Stack>
      )}
    </>
  );
}
