import { AppShell, Burger, Center, Group, Loader, NavLink, ScrollArea, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Outlet, NavLink as RouterNavLink } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { OverviewIcon, TicketIcon, UserIcon, UsersIcon } from "../../shell/icons";
import { LanguageSwitch } from "../../shell/LanguageSwitch";
import { NotificationBell } from "../../shell/NotificationBell";
import { ThemeToggle } from "../../shell/ThemeToggle";
import { UserMenu } from "../../shell/UserMenu";
import { PortalChatLauncher } from "../chat/PortalChatLauncher";
import { ScheduledCallIcon } from "../scheduling/icon";
import { StatusIcon } from "../status/StatusIcon";

/** The customers' own layout: their tickets and, for a customer-admin, their organization's users. No staff menus. */
export function PortalLayout() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  if (isStaff(user.role)) return <Navigate to="/" replace />;
  const links = [
    { to: "/portal", label: t("portal.nav.home"), icon: <OverviewIcon />, end: true },
    { to: "/portal/tickets", label: t("portal.nav.tickets"), icon: <TicketIcon />, end: false },
    { to: "/portal/scheduled-calls", label: t("scheduling.portalNav"), icon: <ScheduledCallIcon />, end: false },
    { to: "/portal/status", label: t("portal.nav.status"), icon: <StatusIcon />, end: false },
    ...(user.role === "customer-admin"
      ? [{ to: "/portal/users", label: t("portal.nav.users"), icon: <UsersIcon />, end: false }]
      : []),
    { to: "/portal/profile", label: t("portal.nav.profile"), icon: <UserIcon />, end: false },
  ];
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
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
                {t("portal.tagline")}
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
      <AppShell.Navbar p="sm" component="nav" aria-label={t("portal.nav.label")}>
        <AppShell.Section grow component={ScrollArea}>
          {links.map((l) => (
            <NavLink
              key={l.to}
              component={RouterNavLink}
              to={l.to}
              end={l.end}
              label={l.label}
              leftSection={l.icon}
              onClick={close}
            />
          ))}
        </AppShell.Section>
      </AppShell.Navbar>
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
      <PortalChatLauncher />
    </AppShell>
  );
}
