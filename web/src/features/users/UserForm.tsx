import { Button, Group, PasswordInput, Select, Stack, Switch, TagsInput, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff, type Role, roles, tiers } from "../../auth/access";
import { useTeams } from "../../shell/pickers";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { organizationChoices } from "../organizations/queries";

export type User = paths["/api/v1/users/{id}"]["get"]["responses"][200]["content"]["application/json"];
type Tier = (typeof tiers)[number];

export function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { user: me } = useAuth();
  const staff = isStaff(me.role);
  const [email, setEmail] = useState(user?.email ?? "");
  const [name, setName] = useState(user?.name ?? "");
  const [role, setRole] = useState<Role>(user?.role ?? (staff ? "agent" : "customer"));
  const [organizationId, setOrganizationId] = useState<string | null>(user?.organizationId ?? null);
  const [tier, setTier] = useState<Tier | null>(user?.tier ?? null);
  const [teams, setTeams] = useState<string[]>(user?.teams ?? []);
  const knownTeams = useTeams();
  const [disabled, setDisabled] = useState(user?.disabled ?? false);
  const [password, setPassword] = useState("");

  // Staff place users in any organization; a customer-admin only in its own, which the server fills in.
  const organizations = useQuery({ ...organizationChoices, enabled: staff });
  const roleChoices = staff ? roles : roles.filter((r) => !isStaff(r));

  const save = useMutation({
    mutationFn: async () => {
      const common = {
        name,
        role,
        ...(organizationId ? { organizationId } : {}),
        teams,
      };
      if (user) {
        return unwrap(
          await api.PATCH("/api/v1/users/{id}", {
            params: { path: { id: user.id } },
            body: { ...common, tier: role === "agent" ? tier : null, disabled },
          }),
        );
      }
      return unwrap(
        await api.POST("/api/v1/users", {
          body: { ...common, email, ...(role === "agent" && tier ? { tier } : {}), ...(password ? { password } : {}) },
        }),
      );
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["users"] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ProblemAlert error={save.error} />
        <TextInput
          label={t("users.email")}
          type="email"
          required
          disabled={Boolean(user)}
          value={email}
          error={errors["/email"]}
          onChange={(e) => setEmail(e.currentTarget.value)}
        />
        <TextInput
          label={t("users.name")}
          required
          value={name}
          error={errors["/name"]}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Group grow align="flex-start">
          <Select
            label={t("users.role")}
            required
            allowDeselect={false}
            data={roleChoices.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            value={role}
            error={errors["/role"]}
            onChange={(v) => v && setRole(v as Role)}
          />
          {role === "agent" && (
            <Select
              label={t("users.tier")}
              data={[...tiers]}
              value={tier}
              error={errors["/tier"]}
              onChange={(v) => setTier(v as Tier | null)}
            />
          )}
        </Group>
        {staff && (
          <Select
            label={t("users.organization")}
            description={t("users.organizationHint")}
            searchable
            clearable
            data={(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId}
            error={errors["/organizationId"]}
            onChange={setOrganizationId}
          />
        )}
        <TagsInput
          label={t("users.teams")}
          data={[...knownTeams.keys()]}
          value={teams}
          onChange={setTeams}
          error={errors["/teams"]}
          clearable
        />
        {user ? (
          <Switch
            label={t("users.disabled")}
            checked={disabled}
            onChange={(e) => setDisabled(e.currentTarget.checked)}
          />
        ) : (
          <PasswordInput
            label={t("users.password")}
            description={t("users.passwordHint")}
            autoComplete="new-password"
            value={password}
            error={errors["/password"]}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
