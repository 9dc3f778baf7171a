import { ActionIcon, Anchor, Button, Group, Indicator, Popover, ScrollArea, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { useAuth } from "../auth/AuthProvider";
import { isStaff } from "../auth/access";
import { followEvents } from "../features/events/eventStream";
import { BellIcon } from "./icons";

const KEY = ["me", "notifications"] as const;

/** The header's bell: unread count (live over the event stream) and the latest in-app notifications. */
export function NotificationBell() {
  const { t, i18n } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const inbox = useQuery({
    queryKey: KEY,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/me/notifications", { params: { query: { limit: 10 } }, signal })),
  });
  // The server sends `notification.*` events only to the user they are for.
  useEffect(
    () =>
      followEvents("/api/v1/events", {
        onEvent: (event) => {
          if (event.type.startsWith("notification.")) void client.invalidateQueries({ queryKey: KEY });
        },
        onState: () => {},
      }),
    [client],
  );
  const markRead = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/me/notifications/{id}/read", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
  const markAll = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/me/notifications/read-all")),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
  const unread = inbox.data?.unread ?? 0;
  const items = inbox.data?.items ?? [];
  return (
    <Popover position="bottom-end" width={340} shadow="md">
      <Popover.Target>
        <Indicator label={unread > 99 ? "99+" : unread} size={16} disabled={unread === 0} offset={4}>
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label={t("notifications.bell", { count: unread })}
            data-testid="notification-bell"
          >
            <BellIcon />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown>
        <Group justify="space-between" mb="xs">
          <Text fw={600}>{t("notifications.title")}</Text>
          <Button size="compact-xs" variant="subtle" disabled={unread === 0} onClick={() => markAll.mutate()}>
            {t("notifications.markAllRead")}
          </Button>
        </Group>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("notifications.empty")}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={360}>
            <Stack gap="xs">
              {items.map((n) => (
                <Stack key={n.id} gap={2} data-unread={n.readAt ? undefined : "true"}>
                  <Group justify="space-between" wrap="nowrap" align="flex-start">
                    <Text size="sm" fw={n.readAt ? 400 : 600} lineClamp={2}>
                      {n.link ? (
                        <Anchor href={n.link} onClick={() => !n.readAt && markRead.mutate(n.id)} inherit>
                          {n.title}
                        </Anchor>
                      ) : (
                        n.title
                      )}
                    </Text>
                    {!n.readAt && (
                      <Button size="compact-xs" variant="subtle" onClick={() => markRead.mutate(n.id)}>
                        {t("notifications.markRead")}
                      </Button>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {n.body}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {new Date(n.createdAt).toLocaleString(i18n.language)}
                  </Text>
                </Stack>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )}
        <Anchor
          component={Link}
          to={isStaff(user.role) ? "/notifications/preferences" : "/portal/notifications"}
          size="sm"
          mt="xs"
          display="block"
          data-testid="notification-preferences-link"
        >
          {t("notifications.preferences")}
        </Anchor>
      </Popover.Dropdown>
    </Popover>
  );
}
