import { AppShell, Burger, Center, Divider, Group, Loader, NavLink, ScrollArea, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Outlet, NavLink as RouterNavLink } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { isStaff } from "../auth/access";
import { areas } from "../features/registry";
import { CallPopup } from "../features/telephony/CallPopup";
import { mayOpen } from "./area";
import { DocsIcon } from "./icons";
import { LanguageSwitch } from "./LanguageSwitch";
import { NotificationBell } from "./NotificationBell";
import { ThemeToggle } from "./ThemeToggle";
import { UserMenu } from "./UserMenu";

export function Shell() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const { user } = useAuth();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.toggle")} />
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <div>
              <Title order={1} size="h4" lh={1.1}>
                {t("app.name")}
              </Title>
              <Text size="xs" c="dimmed" visibleFrom="xs">
                {t("app.tagline")}
              </Text>
            </div>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <NotificationBell />
            <LanguageSwitch />
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label={t("nav.label")}>
        <AppShell.Section grow component={ScrollArea}>
          {areas
            .filter((area) => mayOpen(area, user.role))
            .map((area) => (
              <NavLink
                key={area.path}
                component={RouterNavLink}
                to={area.path}
                end={area.path === "/"}
                label={t(area.label)}
                leftSection={<area.icon />}
                onClick={close}
              />
            ))}
        </AppShell.Section>
        {isStaff(user.role) && (
          <AppShell.Section>
            <Divider my="sm" />
            <NavLink
              href="/api/docs"
              target="_blank"
              rel="noopener"
              label={t("nav.apiDocs")}
              leftSection={<DocsIcon />}
            />
          </AppShell.Section>
        )}
      </AppShell.Navbar>
      {isStaff(user.role) && <CallPopup />}
      <AppShell.Main>
        <Suspense
          fallback={
            <Center py="xl">
              <Loader aria-label={t("common.loading")} />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
