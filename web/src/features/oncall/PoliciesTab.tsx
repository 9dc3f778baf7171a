import { Badge, Button, Card, Group, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ProblemAlert } from "../../shell/problem";
import type { Policy, Target } from "./model";
import { PolicyForm } from "./PolicyForm";
import { useOncallStaff } from "./staff";

/** A target in words: "On call: NOC", "Role: manager", "Emergency contacts". */
export function useTargetLabel() {
  const { t } = useTranslation();
  const staff = useOncallStaff();
  const rotations = useQuery({
    queryKey: ["oncall", "rotations"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/oncall/rotations", { params: { query: { limit: 200 } }, signal })).items,
  });
  return (target: Target) => {
    const kind = t(`oncall.policy.kinds.${target.kind}`);
    switch (target.kind) {
      case "rotation":
        return `${kind}: ${rotations.data?.find((r) => r.id === target.rotationId)?.name ?? target.rotationId}`;
      case "user":
        return `${kind}: ${staff.data?.find((u) => u.id === target.userId)?.name ?? target.userId}`;
      case "team":
        return `${kind}: ${target.team}`;
      case "role":
        return `${kind}: ${t(`roles.${target.role ?? "admin"}`)}`;
      case "tier":
        return `${kind}: ${target.tier}`;
      case "webhook":
        return `${kind}: ${target.flavour ?? "plantao"}`;
      default:
        return kind;
    }
  };
}

/** Escalation policies, the plan's defaults first named by severity; operators edit them. */
export function PoliciesTab() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const writable = can("monitoring", "write");
  const label = useTargetLabel();
  const [form, setForm] = useState<{ policy?: Policy; opened: boolean; key: number }>({ opened: false, key: 0 });
  const list = useQuery({
    queryKey: ["oncall", "policies"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/escalation-policies", { params: { query: { limit: 200 } }, signal })).items,
  });
  return (
    <Stack gap="md">
      {writable && (
        <Group justify="flex-end">
          <Button onClick={() => setForm((f) => ({ opened: true, key: f.key + 1 }))}>{t("oncall.policy.new")}</Button>
        </Group>
      )}
      <ProblemAlert error={list.error} />
      {(list.data ?? []).map((p) => (
        <Card key={p.id} withBorder radius="md" data-testid="policy-card">
          <Group justify="space-between" align="flex-start" wrap="wrap">
            <div>
              <Group gap="xs">
                <Text fw={600}>
                  {p.seededAs
                    ? t("oncall.policy.seededName", {
                        severity: t(`oncall.severity.${p.seededAs.severity as "critical"}`),
                      })
                    : p.name}
                </Text>
                {p.defaultFor && (
                  <Badge variant="light">
                    {t("oncall.policy.defaultFor", { severity: t(`oncall.severity.${p.defaultFor as "critical"}`) })}
                  </Badge>
                )}
              </Group>
              {p.description && (
                <Text size="xs" c="dimmed">
                  {p.seededAs
                    ? t("oncall.policy.seededDescription", {
                        severity: t(`oncall.severity.${p.seededAs.severity as "critical"}`),
                        count: p.seededAs.waitMinutes,
                      })
                    : p.description}
                </Text>
              )}
            </div>
            {writable && (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => setForm((f) => ({ policy: p, opened: true, key: f.key + 1 }))}
              >
                {t("common.edit")}
              </Button>
            )}
          </Group>
          <Stack gap={4} mt="xs">
            <Text size="sm" style={{ whiteSpace: "pre-line" }}>
              {p.steps
                .map((s, i) =>
                  [
                    t("oncall.policy.stepLine", {
                      n: i + 1,
                      who: s.targets.map(label).join(", "),
                      minutes: s.waitMinutes,
                      channels: (s.channels ?? ["email", "in_app"])
                        .map((c) => t(`oncall.policy.channels.${c}`))
                        .join(", "),
                    }),
                    s.condition === "notResolved" ? t("oncall.policy.untilResolved") : "",
                  ]
                    .filter(Boolean)
                    .join(" "),
                )
                .join("\n")}
            </Text>
            {p.repeat > 0 && (
              <Text size="xs" c="dimmed">
                {t("oncall.policy.repeats", { count: p.repeat })}
              </Text>
            )}
          </Stack>
        </Card>
      ))}
      {form.opened && (
        <PolicyForm key={form.key} policy={form.policy} onClose={() => setForm((f) => ({ ...f, opened: false }))} />
      )}
    </Stack>
  );
}
