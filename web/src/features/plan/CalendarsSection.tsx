import { ActionIcon, Button, Card, Group, MultiSelect, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { HourInput, type PlanEditor, Section, TimeZoneSelect } from "./formParts";
import { usePlanLabels } from "./labels";
import { holidayRegionsQuery, type PlanDocument } from "./queries";

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
 * A choice for each region of the holiday data, by name (and code, where people know regions by it: "SP"); a
 * saved code the data lacks stays, for the server to judge.
 */
function choices(
  regions: { code: string; name: string }[],
  saved: string | undefined,
  language: string,
  withCode = true,
) {
  const list = regions.map((r) => ({ value: r.code, label: withCode ? `${r.name} (${r.code})` : r.name }));
  if (saved && !regions.some((r) => r.code === saved)) list.push({ value: saved, label: saved });
  return list.sort((a, b) => a.label.localeCompare(b.label, language));
}

/**
 * Where a calendar's public holidays come from: a country, optionally one of its states and one of that state's
 * cities, searched by name. Country names come from the browser in the reader's language; states and cities
 * from the server's holiday data (their own names where it has no translation).
 */
function HolidayRegionSelects({
  holidays,
  errorAt,
  onChange,
}: {
  holidays: Holidays;
  errorAt: (field: "country" | "state" | "city") => string | undefined;
  onChange: (patch: Partial<Holidays>) => void;
}) {
  const { t, i18n } = useTranslation();
  const regions = useQuery(holidayRegionsQuery(i18n.language)).data;
  // Some two hundred countries named and sorted: once per language, not at each keystroke in the plan.
  const countries = useMemo(() => {
    const names = new Intl.DisplayNames([i18n.language], { type: "region", fallback: "none" });
    const named = (regions ?? []).map((c) => {
      try {
        return { code: c.code, name: names.of(c.code) ?? c.name };
      } catch {
        return { code: c.code, name: c.name };
      }
    });
    return choices(named, undefined, i18n.language);
  }, [regions, i18n.language]);
  const country = regions?.find((c) => c.code === holidays.country);
  const state = country?.states.find((s) => s.code === holidays.state);
  return (
    <>
      <Select
        label={t("plan.form.country")}
        description={t("plan.form.countryHint")}
        searchable
        allowDeselect={false}
        nothingFoundMessage={t("common.empty")}
        data={
          country || !holidays.country
            ? countries
            : [...countries, { value: holidays.country, label: holidays.country }]
        }
        value={holidays.country}
        error={errorAt("country")}
        // Another country's states and cities are not this one's.
        onChange={(v) => v && onChange({ country: v, state: undefined, city: undefined })}
        w={220}
      />
      <Select
        label={t("plan.form.state")}
        description={t("plan.form.stateHint")}
        searchable
        clearable
        disabled={!country?.states.length && !holidays.state}
        nothingFoundMessage={t("common.empty")}
        data={choices(country?.states ?? [], holidays.state, i18n.language)}
        value={holidays.state ?? null}
        error={errorAt("state")}
        onChange={(v) => onChange({ state: v ?? undefined, city: undefined })}
        w={220}
      />
      <Select
        label={t("plan.form.city")}
        description={t("plan.form.cityHint")}
        searchable
        clearable
        disabled={!state?.cities.length && !holidays.city}
        nothingFoundMessage={t("common.empty")}
        data={choices(state?.cities ?? [], holidays.city, i18n.language, false)}
        value={holidays.city ?? null}
        error={errorAt("city")}
        onChange={(v) => onChange({ city: v ?? undefined })}
        w={200}
      />
    </>
  );
}

/**
 * The plan's business calendars: zone, opening hours per weekday (several intervals a day), the public
 * holidays of a region (date-holidays, on the server) and the provider's own closed dates. The server judges
 * every value; its errors show on the field at fault.
 */
export function CalendarsSection({ editor }: { editor: PlanEditor }) {
  const { t } = useTranslation();
  const labels = usePlanLabels();
  const { doc, set, update, error } = editor;
  const [newId, setNewId] = useState("");
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
                          <HourInput
                            aria-label={`${t(`plan.days.${day}`)} ${t("plan.form.start")}`}
                            value={interval.start}
                            error={error(`${at}/week/${day}/${i}/start`)}
                            onChange={(v) => set(`${at}/week/${day}/${i}/start`, v)}
                            w={110}
                          />
                          <Text mt={6}>–</Text>
                          <HourInput
                            end
                            aria-label={`${t(`plan.days.${day}`)} ${t("plan.form.end")}`}
                            value={interval.end}
                            error={error(`${at}/week/${day}/${i}/end`)}
                            onChange={(v) => set(`${at}/week/${day}/${i}/end`, v)}
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
                    <HolidayRegionSelects
                      holidays={holidays}
                      errorAt={(field) => error(`${at}/holidays/${field}`)}
                      onChange={setHolidays}
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
