import { Badge, Card, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { actorLabel } from "./actorLabel";

function List({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={title}>
      <Group gap="xs" mb="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        <Badge variant="light" color={count ? "orange" : "green"}>
          {count}
        </Badge>
      </Group>
      {children}
    </Card>
  );
}

// The API types these rows loosely (a record per row); these are the fields the review computes for them.
interface NewPrivilege {
  at: string;
  userId: string | null;
  email: string | null;
  role: string | null;
  previousRole: string | null;
  by: string | null;
}
interface UnusedToken {
  name: string;
  userId: string;
  email: string | null;
  createdAt: string;
}

export function AccessReview() {
  const { t } = useTranslation();
  const format = useFormat();
  const [week, setWeek] = useState("");
  const review = useQuery({
    queryKey: ["audit", "access-review", week],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/audit/access-review", { params: { query: week ? { week } : {} }, signal })),
  });
  const r = review.data;
  const none = (
    <Text size="sm" c="dimmed">
      {t("audit.review.none")}
    </Text>
  );
  return (
    <Stack gap="md">
      <Group align="flex-end">
        <TextInput
          type="week"
          label={t("audit.review.week")}
          value={week || r?.week || ""}
          onChange={(e) => setWeek(e.currentTarget.value)}
        />
        {r && (
          <Text size="sm" c="dimmed" pb={8}>
            {format.dateTime(r.from)} – {format.dateTime(r.to)}
          </Text>
        )}
      </Group>
      <ProblemAlert error={review.error} />
      {review.isPending && <Loader aria-label={t("common.loading")} />}
      {r && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <List title={t("audit.review.roles")} count={r.roles.length}>
            <Table verticalSpacing={4}>
              <Table.Tbody>
                {r.roles.map((row) => (
                  <Table.Tr key={row.role}>
                    <Table.Th fw={500}>{t(`roles.${row.role as "admin"}`, { defaultValue: row.role })}</Table.Th>
                    <Table.Td>{row.users.map((u) => u.email ?? u.id).join(", ")}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </List>
          <List title={t("audit.review.newPrivileges")} count={r.newPrivileges.length}>
            {r.newPrivileges.length === 0
              ? none
              : (r.newPrivileges as unknown as NewPrivilege[]).map((p) => (
                  <Text key={JSON.stringify(p)} size="sm">
                    {t(p.previousRole ? "audit.review.roleChanged" : "audit.review.userCreated", {
                      at: format.dateTime(p.at),
                      user: p.email ?? p.userId ?? "—",
                      role: p.role ? t(`roles.${p.role as "admin"}`, { defaultValue: p.role }) : "—",
                      previous: p.previousRole
                        ? t(`roles.${p.previousRole as "admin"}`, { defaultValue: p.previousRole })
                        : "",
                      by: actorLabel(p.by, t),
                    })}
                  </Text>
                ))}
          </List>
          <List title={t("audit.review.dormant")} count={r.dormantAccounts.length}>
            {r.dormantAccounts.length === 0 ? (
              none
            ) : (
              <Text size="sm">{r.dormantAccounts.map((u) => u.email ?? u.id).join(", ")}</Text>
            )}
          </List>
          <List title={t("audit.review.failedLogins")} count={r.failedLoginBursts.length}>
            {r.failedLoginBursts.length === 0
              ? none
              : r.failedLoginBursts.map((b) => (
                  <Text key={`${b.by}:${b.key}`} size="sm">
                    {t(b.by === "ip" ? "audit.review.burstIp" : "audit.review.burstAccount", {
                      key: b.key,
                      failures: b.failures,
                      from: format.dateTime(b.firstAt),
                      to: format.dateTime(b.lastAt),
                    })}
                  </Text>
                ))}
          </List>
          <List title={t("audit.review.tokensNeverUsed")} count={r.tokensNeverUsed.length}>
            {r.tokensNeverUsed.length === 0
              ? none
              : (r.tokensNeverUsed as unknown as UnusedToken[]).map((tk) => (
                  <Text key={JSON.stringify(tk)} size="sm">
                    {t("audit.review.tokenNeverUsed", {
                      name: tk.name,
                      user: tk.email ?? tk.userId,
                      at: format.dateTime(tk.createdAt),
                    })}
                  </Text>
                ))}
          </List>
          <List title={t("audit.review.noTwoFactor")} count={r.staffWithoutTwoFactor.length}>
            {r.staffWithoutTwoFactor.length === 0 ? (
              none
            ) : (
              <Text size="sm">{r.staffWithoutTwoFactor.map((u) => u.email ?? u.id).join(", ")}</Text>
            )}
          </List>
        </SimpleGrid>
      )}
    </Stack>
  );
}
