import { Anchor, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { useOptionalUser, useSession } from "../../auth/AuthProvider";
import { ProblemAlert } from "../../shell/problem";
import { AuthCard } from "./AuthCard";

/** Where to go after signing in: only a path inside this app, never another site. */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { signedIn } = useSession();
  const user = useOptionalUser();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);

  const login = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/auth/login", {
          body: { email, password, ...(needsCode ? { totpCode } : {}) },
        }),
      ),
    onSuccess: (session) => {
      signedIn(session);
      void navigate(safeNext(params.get("next")), { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiProblem && error.id === "totp-required") setNeedsCode(true);
    },
  });

  if (user) return <Navigate to={safeNext(params.get("next"))} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  // Asking for the code is the next step, not a failure to report.
  const shownError = login.error instanceof ApiProblem && login.error.id === "totp-required" ? null : login.error;

  return (
    <AuthCard title={t("auth.login.title")} subtitle={t("auth.login.subtitle")}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <ProblemAlert error={shownError} />
          <TextInput
            label={t("auth.email")}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label={t("auth.password")}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {needsCode && (
            <TextInput
              label={t("auth.totpCode")}
              description={t("auth.totpHint")}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              autoFocus
              value={totpCode}
              onChange={(e) => setTotpCode(e.currentTarget.value.replace(/\D/g, ""))}
            />
          )}
          <Button type="submit" loading={login.isPending}>
            {t("auth.login.submit")}
          </Button>
          <Anchor component={Link} to="/forgot-password" size="sm">
            {t("auth.login.forgot")}
          </Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}
