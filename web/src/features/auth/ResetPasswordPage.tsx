import { Alert, Anchor, Button, PasswordInput, Stack } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { AuthCard } from "./AuthCard";

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const reset = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } })),
  });
  const errors = fieldErrors(reset.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reset.mutate();
  };
  return (
    <AuthCard title={t("auth.reset.title")} subtitle={t("auth.reset.subtitle")}>
      {!token && <Alert color="yellow">{t("auth.missingToken")}</Alert>}
      {reset.isSuccess ? (
        <Alert color="green" role="status">
          {t("auth.reset.done")}
        </Alert>
      ) : (
        token && (
          <form onSubmit={submit} noValidate>
            <Stack gap="sm">
              <ProblemAlert error={errors["/password"] ? null : reset.error} />
              <PasswordInput
                label={t("auth.newPassword")}
                description={t("auth.passwordRule")}
                autoComplete="new-password"
                required
                value={password}
                error={errors["/password"]}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <Button type="submit" loading={reset.isPending}>
                {t("auth.reset.submit")}
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
