import { Tabs } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { PageHeader } from "../../shell/PageHeader";
import { CalendarTab } from "./CalendarTab";
import { MyPagesTab } from "./MyPagesTab";
import { PoliciesTab } from "./PoliciesTab";

const tabs = ["/oncall", "/oncall/pages", "/oncall/policies"] as const;

/** On call: the calendar of rotations, my pages, and the escalation policies; each tab has its own address. */
export function OncallPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const tab = tabs.find((p) => p === location.pathname) ?? "/oncall";
  return (
    <>
      <PageHeader title={t("oncall.title")} subtitle={t("oncall.subtitle")} />
      <Tabs value={tab} onChange={(value) => value && navigate(value)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="/oncall">{t("oncall.tabs.calendar")}</Tabs.Tab>
          <Tabs.Tab value="/oncall/pages">{t("oncall.tabs.pages")}</Tabs.Tab>
          <Tabs.Tab value="/oncall/policies">{t("oncall.tabs.policies")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="/oncall">
          <CalendarTab />
        </Tabs.Panel>
        <Tabs.Panel value="/oncall/pages">
          <MyPagesTab />
        </Tabs.Panel>
        <Tabs.Panel value="/oncall/policies">
          <PoliciesTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
