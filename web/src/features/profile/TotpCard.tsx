import { Alert, Badge, Button, Code, Group, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { meQuery, useAuth } from "../../auth/AuthProvider";
import { ProblemAlert } from "../../shell/problem";
import { Section } from "./Section";

function CodeForm({
  label,
  submitLabel,
  onCode,
  pending,
}: {
  label: string;
  submitLabel: string;
  onCode: (code: string) => void;
  pending: boolean;
}) {
  const [code, setCode] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onCode(code);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Group align="flex-end">
        <TextInput
          label={label}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ""))}
        />
        <Button type="submit" loading={pending} disabled={code.length !== 6}>
          {submitLabel}
        </Button>
      </Group>
    </form>
  );
}

export function TotpCard() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const refreshMe = () => client.invalidateQueries({ queryKey: meQuery.queryKey });
  const begin = useMutation({ mutationFn: async () => unwrap(await api.POST("/api/v1/me/totp")) });
  const confirm = useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST("/api/v1/me/totp/confirm", { body: { code } })),
    onSuccess: () => {
      begin.reset();
      void refreshMe();
    },
  });
  const disable = useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST("/api/v1/me/totp/disable", { body: { code } })),
    onSuccess: () => void refreshMe(),
  });

  return (
    <Section title={t("totp.title")}>
      <Stack gap="sm">
        <Group>
          <Badge color={user.totpEnabled ? "green" : "gray"} variant="light">
            {user.totpEnabled ? t("totp.on") : t("totp.off")}
          </Badge>
        </Group>
        <ProblemAlert error={begin.error ?? confirm.error ?? disable.error} />
        {user.totpEnabled ? (
          <CodeForm
            label={t("totp.codeToDisable")}
            submitLabel={t("totp.disable")}
            onCode={disable.mutate}
            pending={disable.isPending}
          />
        ) : begin.data ? (
          <>
            <Text size="sm">{t("totp.scan")}</Text>
            <Text size="sm" fw={600}>
              {t("totp.secret")}
            </Text>
            <Code block>{begin.data.secret}</Code>
            <Text size="sm" fw={600}>
              {t("totp.uri")}
            </Text>
            <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
              {begin.data.otpauthUri}
            </Code>
            <CodeForm
              label={t("totp.codeToConfirm")}
              submitLabel={t("totp.confirm")}
              onCode={confirm.mutate}
              pending={confirm.isPending}
            />
          </>
        ) : (
          <>
            <Alert color="blue" variant="light">
              {t("totp.explain")}
            </Alert>
            <Group>
              <Button variant="light" loading={begin.isPending} onClick={() => begin.mutate()}>
                {t("totp.enable")}
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Section>
  );
}
