import { ActionIcon, Button, Card, Group, MultiSelect, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type PlanEditor, Section, TimeZoneSelect } from "./formParts";
import { usePlanLabels } from "./labels";
import type { PlanDocument } from "./queries";

type Calendar = PlanDocument["calendars"][string];
type Holidays = NonNullable<Calendar["holidays"]>;
const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
const holidayKinds = ["public", "bank", "school", "optional", "observance"] as const;
const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** A new business calendar: Monday to Friday 08:00–18:00 with the national holidays, in the reader's zone. */
function businessCalendar(name: string): Calendar {
  const day = [{ start: "08:00", end: "18:00" }];
  return {
    name,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    alwaysOpen: false,
    week: { monday: day, tuesday: day, wednesday: day, thursday: day, friday: day, saturday: [], sunday: [] },
    holidays: { country: "BR", types: ["public"], custom: [] },
  };
}

/**
 * The plan's business calendars: zone, opening hours per weekday (several intervals a day), the public
 * holidays of a region (date-holidays, on the server) and the provider's own closed dates. The server judges
 * every value; its errors show on the field at fault.
 */
export function CalendarsSection({ editor }: { editor: PlanEditor }) {
  const { t, i18n } = useTranslation();
  const labels = usePlanLabels();
  const { doc, set, update, error } = editor;
  const [newId, setNewId] = useState("");
  const regionName = (code: string) => {
    try {
      return new Intl.DisplayNames([i18n.language], { type: "region" }).of(code);
    } catch {
      return undefined;
    }
  };
  const taken = Object.hasOwn(doc.calendars, newId);
  const add = () => {
    update((d) => {
      d.calendars[newId] = businessCalendar(newId);
    });
    setNewId("");
  };

  return (
    <Section title={t("plan.calendars")} notes={editor.notes("/calendars")}>
      {Object.entries(doc.calendars).map(([id, cal]) => {
        const at = `/calendars/${id}`;
        const holidays = cal.holidays;
        const setHolidays = (patch: Partial<Holidays>) =>
          update((d) => {
            const h = d.calendars[id]?.holidays;
            if (h) Object.assign(h, patch);
          });
        return (
          <Card
            key={id}
            withBorder
            padding="sm"
            radius="sm"
            component="fieldset"
            aria-label={labels.calendar(id, cal.name)}
          >
            <Group justify="space-between" mb={4}>
              <Text fw={600} size="sm">
                {/* Not the id: the shipped ids are Portuguese words, and the selects name calendars by label. */}
                {labels.calendar(id, cal.name)}
              </Text>
              <Button
                variant="subtle"
                color="red"
                size="compact-xs"
                onClick={() =>
                  update((d) => {
                    delete d.calendars[id];
                  })
                }
              >
                {t("plan.form.removeCalendar")}
              </Button>
            </Group>
            <Stack gap="xs">
              <Group gap="md" align="flex-start">
                <TextInput
                  label={t("plan.form.name")}
                  value={cal.name}
                  error={error(`${at}/name`)}
                  onChange={(e) => set(`${at}/name`, e.currentTarget.value)}
                  w={240}
                />
                <TimeZoneSelect
                  value={cal.timezone}
                  error={error(`${at}/timezone`)}
                  onChange={(zone) => set(`${at}/timezone`, zone)}
                />
                <Switch
                  label={t("plan.alwaysOpen")}
                  checked={cal.alwaysOpen}
                  mt={30}
                  onChange={(e) => {
                    const open = e.currentTarget.checked;
                    update((d) => {
                      const c = d.calendars[id];
                      if (!c) return;
                      c.alwaysOpen = open;
                      // An always-open calendar has no hours; a business one starts from the usual workday.
                      c.week = open
                        ? { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] }
                        : businessCalendar(c.name).week;
                    });
                  }}
                />
              </Group>
              {!cal.alwaysOpen && (
                <Stack gap={4} role="group" aria-label={t("plan.form.openingHours")}>
                  <Text size="sm" fw={500}>
                    {t("plan.form.openingHours")}
                  </Text>
                  {error(`${at}/week`) && (
                    <Text size="xs" c="red">
                      {error(`${at}/week`)}
                    </Text>
                  )}
                  {weekdays.map((day) => (
                    <Group key={day} gap="xs" align="flex-start" wrap="wrap">
                      <Text size="sm" w={50} mt={6}>
                        {t(`plan.days.${day}`)}
                      </Text>
                      {cal.week[day].length === 0 && (
                        <Text size="sm" c="dimmed" mt={6}>
                          {t("plan.form.closed")}
                        </Text>
                      )}
                      {cal.week[day].map((interval, i) => (
                        // Intervals have no id of their own: their place in the day is what the server names.
                        // biome-ignore lint/suspicious/noArrayIndexKey: the index is the interval's identity here
                        <Group key={i} gap={4} align="flex-start" wrap="nowrap">
                          <TextInput
                            type="time"
                            aria-label={`${t(`plan.days.${day}`)} ${t("plan.form.start")}`}
                            value={interval.start}
                            error={error(`${at}/week/${day}/${i}/start`)}
                            onChange={(e) => set(`${at}/week/${day}/${i}/start`, e.currentTarget.value)}
                            w={110}
                          />
                          <Text mt={6}>–</Text>
                          {/* A time input cannot hold 24:00 (end of day): it shows 23:59 and keeps 24:00 until edited. */}
                          <TextInput
                            type="time"
                            aria-label={`${t(`plan.days.${day}`)} ${t("plan.form.end")}`}
                            value={interval.end === "24:00" ? "23:59" : interval.end}
                            error={error(`${at}/week/${day}/${i}/end`)}
                            onChange={(e) => set(`${at}/week/${day}/${i}/end`, e.currentTarget.value)}
                            w={110}
                          />
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            mt={4}
                            aria-label={t("plan.form.removeInterval")}
                            onClick={() =>
                              update((d) => {
                                d.calendars[id]?.week[day].splice(i, 1);
                              })
                            }
                          >
                            ×
                          </ActionIcon>
                        </Group>
                      ))}
                      <Button
                        variant="subtle"
                        size="compact-sm"
                        mt={4}
                        onClick={() =>
                          update((d) => {
                            d.calendars[id]?.week[day].push({ start: "08:00", end: "18:00" });
                          })
                        }
                      >
                        {t("plan.form.addInterval")}
                      </Button>
                    </Group>
                  ))}
                </Stack>
              )}
              <Switch
                label={t("plan.form.closesOnHolidays")}
                checked={!!holidays}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  update((d) => {
                    const c = d.calendars[id];
                    if (!c) return;
                    if (on) c.holidays = { country: "BR", types: ["public"], custom: [] };
                    else delete c.holidays;
                  });
                }}
              />
              {holidays && (
                <Stack gap="xs" pl="md">
                  <Group gap="md" align="flex-start">
                    <TextInput
                      label={t("plan.form.country")}
                      description={regionName(holidays.country) ?? t("plan.form.countryHint")}
                      value={holidays.country}
                      error={error(`${at}/holidays/country`)}
                      onChange={(e) => setHolidays({ country: e.currentTarget.value.toUpperCase() })}
                      w={150}
                    />
                    <TextInput
                      label={t("plan.form.state")}
                      description={t("plan.form.stateHint")}
                      value={holidays.state ?? ""}
                      error={error(`${at}/holidays/state`)}
                      onChange={(e) => setHolidays({ state: e.currentTarget.value.toUpperCase() || undefined })}
                      w={150}
                    />
                    <TextInput
                      label={t("plan.form.city")}
                      description={t("plan.form.cityHint")}
                      value={holidays.city ?? ""}
                      error={error(`${at}/holidays/city`)}
                      onChange={(e) => setHolidays({ city: e.currentTarget.value || undefined })}
                      w={150}
                    />
                    <MultiSelect
                      label={t("plan.form.holidayKinds")}
                      data={holidayKinds.map((k) => ({ value: k, label: t(`plan.holidayKinds.${k}`) }))}
                      value={holidays.types}
                      error={error(`${at}/holidays/types`)}
                      onChange={(v) => setHolidays({ types: v as Holidays["types"] })}
                      miw={220}
                      style={{ flex: "1 1 220px" }}
                    />
                  </Group>
                  <Text size="sm" fw={500}>
                    {t("plan.form.extraClosedDates")}
                  </Text>
                  {holidays.custom.length === 0 && (
                    <Text size="sm" c="dimmed">
                      {t("plan.form.noExtraDates")}
                    </Text>
                  )}
                  {holidays.custom.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the server names a date by its place in the list
                    <Group key={i} gap="xs" align="flex-start">
                      <TextInput
                        type="date"
                        aria-label={t("plan.form.date")}
                        value={c.date}
                        error={error(`${at}/holidays/custom/${i}/date`)}
                        onChange={(e) => set(`${at}/holidays/custom/${i}/date`, e.currentTarget.value)}
                        w={170}
                      />
                      <TextInput
                        aria-label={t("plan.form.occasion")}
                        placeholder={t("plan.form.occasion")}
                        value={c.name}
                        error={error(`${at}/holidays/custom/${i}/name`)}
                        onChange={(e) => set(`${at}/holidays/custom/${i}/name`, e.currentTarget.value)}
                        style={{ flex: "1 1 200px" }}
                      />
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        mt={4}
                        aria-label={t("plan.form.removeDate")}
                        onClick={() =>
                          update((d) => {
                            d.calendars[id]?.holidays?.custom.splice(i, 1);
                          })
                        }
                      >
                        ×
                      </ActionIcon>
                    </Group>
                  ))}
                  <Group>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() =>
                        update((d) => {
                          d.calendars[id]?.holidays?.custom.push({ date: "", name: "" });
                        })
                      }
                    >
                      {t("plan.form.addDate")}
                    </Button>
                  </Group>
                </Stack>
              )}
            </Stack>
          </Card>
        );
      })}
      <Group gap="xs" align="flex-start">
        <TextInput
          label={t("plan.form.newCalendarId")}
          description={t("plan.form.idHint")}
          value={newId}
          error={taken ? t("plan.form.idTaken") : undefined}
          onChange={(e) => setNewId(e.currentTarget.value.trim())}
          w={220}
        />
        <Button variant="default" mt={46} disabled={!ID.test(newId) || taken} onClick={add}>
          {t("plan.form.addCalendar")}
        </Button>
      </Group>
    </Section>
  );
}
