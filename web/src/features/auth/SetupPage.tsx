import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { AuthCard } from "./AuthCard";

/** First run: the one-time token from the server log creates the first administrator. */
export function SetupPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [form, setForm] = useState({ email: "", name: "", password: "" });
  const setup = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/setup", { body: { token, ...form } })),
  });
  const errors = fieldErrors(setup.error);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    error: errors[`/${name}`],
    required: true,
    onChange: (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [name]: e.currentTarget.value }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setup.mutate();
  };
  return (
    <AuthCard title={t("auth.setup.title")} subtitle={t("auth.setup.subtitle")}>
      {!token && <Alert color="yellow">{t("auth.missingToken")}</Alert>}
      {setup.isSuccess ? (
        <Alert color="green" role="status">
          {t("auth.setup.done", { email: setup.data.email })}
        </Alert>
      ) : (
        token && (
          <form onSubmit={submit} noValidate>
            <Stack gap="sm">
              <ProblemAlert error={Object.keys(errors).length ? null : setup.error} />
              <TextInput label={t("auth.name")} autoComplete="name" {...field("name")} />
              <TextInput label={t("auth.email")} type="email" autoComplete="username" {...field("email")} />
              <PasswordInput
                label={t("auth.password")}
                description={t("auth.passwordRule")}
                autoComplete="new-password"
                {...field("password")}
              />
              <Button type="submit" loading={setup.isPending}>
                {t("auth.setup.submit")}
              </Button>
            </Stack>
          </form>
        )
      )}
      <Anchor component={Link} to="/login" size="sm">
        {t("auth.backToLogin")}
      </Anchor>
    </AuthCard>
  );
}
