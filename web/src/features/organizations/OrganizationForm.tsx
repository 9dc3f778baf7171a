import { ActionIcon, Button, Fieldset, Group, Select, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { usePlanLabels } from "../plan/labels";
import { planQuery } from "../plan/queries";
import type { Organization, OrganizationInput } from "./queries";

type Contact = NonNullable<OrganizationInput["contacts"]>[number];

/** Field errors under a list (e.g. /phoneNumbers/3) shown once on the list's input. */
function listError(errors: Record<string, string>, pointer: string): string | undefined {
  const hits = Object.entries(errors).filter(([p]) => p === pointer || p.startsWith(`${pointer}/`));
  return hits.length ? hits.map(([p, m]) => `${p.slice(pointer.length + 1) || ""} ${m}`.trim()).join("; ") : undefined;
}

/** The plan's choices, plus the saved value when the plan no longer has it (so it shows, and can be cleared). */
function withCurrent(choices: { value: string; label: string }[], current: string) {
  return current && !choices.some((c) => c.value === current)
    ? [...choices, { value: current, label: current }]
    : choices;
}

export function OrganizationForm({ organization, onDone }: { organization?: Organization; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const plan = useQuery(planQuery);
  const labels = usePlanLabels();
  const [name, setName] = useState(organization?.name ?? "");
  const [slug, setSlug] = useState(organization?.slug ?? "");
  const [serviceTier, setServiceTier] = useState(organization?.serviceTier ?? "");
  const [calendar, setCalendar] = useState(organization?.calendar ?? "");
  const [contacts, setContacts] = useState<Contact[]>(organization?.contacts ?? []);
  const [phoneNumbers, setPhoneNumbers] = useState<string[]>(organization?.phoneNumbers ?? []);
  const [sipIdentities, setSipIdentities] = useState<string[]>(organization?.sipIdentities ?? []);

  const save = useMutation({
    mutationFn: async () => {
      const body: OrganizationInput = {
        name,
        ...(slug ? { slug } : {}),
        serviceTier: serviceTier || null,
        calendar: calendar || null,
        // Optional contact fields left empty are not sent: an empty string is not a valid email.
        contacts: contacts.map((c) =>
          Object.fromEntries(Object.entries(c).filter(([, v]) => v !== "" && v !== undefined)),
        ) as Contact[],
        phoneNumbers,
        sipIdentities,
      };
      return organization
        ? unwrap(await api.PATCH("/api/v1/organizations/{id}", { params: { path: { id: organization.id } }, body }))
        : unwrap(await api.POST("/api/v1/organizations", { body }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["organizations"] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const setContact = (i: number, patch: Partial<Contact>) =>
    setContacts(contacts.map((c, j) => (i === j ? { ...c, ...patch } : c)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ProblemAlert error={save.error} />
        <TextInput
          label={t("organizations.name")}
          required
          value={name}
          error={errors["/name"]}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Group grow align="flex-start">
          <TextInput
            label={t("organizations.slug")}
            description={t("organizations.slugHint")}
            value={slug}
            error={errors["/slug"]}
            onChange={(e) => setSlug(e.currentTarget.value)}
          />
          <Select
            label={t("organizations.serviceTier")}
            clearable
            data={withCurrent(
              Object.entries(plan.data?.document.tiers ?? {}).map(([id, tier]) => ({
                value: id,
                label: `${id} · ${labels.tier(id, tier.name)}`,
              })),
              serviceTier,
            )}
            value={serviceTier || null}
            error={errors["/serviceTier"]}
            onChange={(v) => setServiceTier(v ?? "")}
          />
          <Select
            label={t("organizations.calendar")}
            description={t("organizations.calendarHint")}
            clearable
            data={withCurrent(
              Object.entries(plan.data?.document.calendars ?? {}).map(([id, cal]) => ({
                value: id,
                label: labels.calendar(id, cal.name),
              })),
              calendar,
            )}
            value={calendar || null}
            error={errors["/calendar"]}
            onChange={(v) => setCalendar(v ?? "")}
          />
        </Group>
        <TagsInput
          label={t("organizations.phoneNumbers")}
          description={t("organizations.phoneNumbersHint")}
          value={phoneNumbers}
          onChange={setPhoneNumbers}
          error={listError(errors, "/phoneNumbers")}
          splitChars={[",", " ", ";"]}
          clearable
        />
        <TagsInput
          label={t("organizations.sipIdentities")}
          description={t("organizations.sipIdentitiesHint")}
          value={sipIdentities}
          onChange={setSipIdentities}
          error={listError(errors, "/sipIdentities")}
          splitChars={[",", " ", ";"]}
          clearable
        />
        <Fieldset legend={t("organizations.contacts")}>
          <Stack gap="xs">
            {contacts.length === 0 && (
              <Text size="sm" c="dimmed">
                {t("organizations.noContacts")}
              </Text>
            )}
            {contacts.map((contact, i) => (
              // Contacts have no id of their own; their position is their identity while editing.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
                <TextInput
                  aria-label={t("organizations.contactName")}
                  placeholder={t("organizations.contactName")}
                  value={contact.name}
                  error={errors[`/contacts/${i}/name`]}
                  onChange={(e) => setContact(i, { name: e.currentTarget.value })}
                />
                <TextInput
                  aria-label={t("organizations.contactEmail")}
                  placeholder={t("organizations.contactEmail")}
                  value={contact.email ?? ""}
                  error={errors[`/contacts/${i}/email`]}
                  onChange={(e) => setContact(i, { email: e.currentTarget.value })}
                />
                <TextInput
                  aria-label={t("organizations.contactPhone")}
                  placeholder={t("organizations.contactPhone")}
                  value={contact.phone ?? ""}
                  error={errors[`/contacts/${i}/phone`]}
                  onChange={(e) => setContact(i, { phone: e.currentTarget.value })}
                />
                <TextInput
                  aria-label={t("organizations.contactRole")}
                  placeholder={t("organizations.contactRole")}
                  value={contact.role ?? ""}
                  onChange={(e) => setContact(i, { role: e.currentTarget.value })}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  mt={6}
                  aria-label={t("organizations.removeContact")}
                  onClick={() => setContacts(contacts.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            <Group>
              <Button variant="subtle" size="xs" onClick={() => setContacts([...contacts, { name: "" }])}>
                {t("organizations.addContact")}
              </Button>
            </Group>
          </Stack>
        </Fieldset>
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
