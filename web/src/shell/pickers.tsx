import {
  Autocomplete,
  type AutocompleteProps,
  Group,
  MultiSelect,
  Select,
  type SelectProps,
  Text,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { useAuth } from "../auth/AuthProvider";
import { isStaff } from "../auth/access";

/**
 * Searchable choices for the records a form refers to, by name instead of a typed id. Each lists what the
 * reader's role may see; a saved id the list lacks (deleted, or beyond the first page) stays as a choice so it
 * shows and can be cleared.
 */

type Choice = { value: string; label: string };
type PickerProps = Omit<SelectProps, "data" | "value" | "onChange"> & {
  value: string | null;
  onChange: (value: string | null) => void;
};

function withSaved(choices: Choice[], saved: readonly (string | null)[]): Choice[] {
  const extra = saved.filter((v): v is string => !!v && !choices.some((c) => c.value === v));
  return [...choices, ...extra.map((v) => ({ value: v, label: v }))];
}

const LIST = 200;

function useMonitorChoices() {
  const { can } = useAuth();
  return useQuery({
    queryKey: ["pickers", "monitors"],
    enabled: can("monitoring"),
    staleTime: 60_000,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/monitors", { params: { query: { limit: LIST } }, signal })).items.map(
        (m): Choice => ({ value: m.id, label: `${m.name} · ${m.type}` }),
      ),
  });
}

/** One monitor, by name. */
export function MonitorPicker({ value, onChange, ...props }: PickerProps) {
  const { t } = useTranslation();
  const monitors = useMonitorChoices();
  return (
    <Select
      searchable
      clearable
      nothingFoundMessage={t("common.empty")}
      data={withSaved(monitors.data ?? [], [value])}
      value={value || null}
      onChange={onChange}
      {...props}
    />
  );
}

/** Status components, by name (and group). */
export function ComponentsPicker({
  value,
  onChange,
  ...props
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  label: string;
  error?: string;
  description?: string;
}) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const components = useQuery({
    queryKey: ["pickers", "components"],
    enabled: can("monitoring"),
    staleTime: 60_000,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/components", { signal })).items.map(
        (c): Choice => ({ value: c.id, label: c.group ? `${c.group} · ${c.name}` : c.name }),
      ),
  });
  return (
    <MultiSelect
      searchable
      clearable
      nothingFoundMessage={t("common.empty")}
      data={withSaved(components.data ?? [], value)}
      value={value}
      onChange={onChange}
      {...props}
    />
  );
}

/** One webhook, by name. */
export function WebhookPicker({ value, onChange, ...props }: PickerProps) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const webhooks = useQuery({
    queryKey: ["pickers", "webhooks"],
    enabled: can("webhooks"),
    staleTime: 60_000,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/webhooks", { signal })).items.map((w): Choice => ({ value: w.id, label: w.name })),
  });
  return (
    <Select
      searchable
      nothingFoundMessage={t("common.empty")}
      data={withSaved(webhooks.data ?? [], [value])}
      value={value || null}
      onChange={onChange}
      {...props}
    />
  );
}

/**
 * One record searched on the server as the reader types (lists too long to load whole): `search` answers the
 * typed text (undefined when empty) with up to a page of choices. The picked choice stays listed while other
 * searches run, so its label shows.
 */
function ServerSearchPicker({
  list,
  enabled,
  search: find,
  value,
  onChange,
  ...props
}: PickerProps & {
  /** Names the list in the query cache. */
  list: string;
  enabled: boolean;
  search: (q: string | undefined, signal: AbortSignal) => Promise<Choice[]>;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 250);
  const [picked, setPicked] = useState<Choice | null>(null);
  const choices = useQuery({
    queryKey: ["pickers", list, q],
    enabled,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => find(q || undefined, signal),
  });
  const found = choices.data ?? [];
  const data = picked && !found.some((c) => c.value === picked.value) ? [picked, ...found] : found;
  return (
    <Select
      searchable
      clearable
      filter={({ options }) => options}
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage={choices.isFetching ? t("common.loading") : t("common.empty")}
      data={withSaved(data, [value])}
      value={value || null}
      onChange={(v, option) => {
        setPicked(option ?? null);
        onChange(v);
      }}
      {...props}
    />
  );
}

/** One user of any organization the reader may see, searched on the server by name or email as they type. */
export function UserPicker(props: PickerProps) {
  const { can } = useAuth();
  return (
    <ServerSearchPicker
      list="users"
      enabled={can("users")}
      search={async (q, signal) =>
        unwrap(await api.GET("/api/v1/users", { params: { query: { q, limit: 50 } }, signal })).items.map(
          (u): Choice => ({ value: u.id, label: `${u.name} · ${u.email}` }),
        )
      }
      {...props}
    />
  );
}

/**
 * One API token of any user, searched on the server by its name, prefix or owner as they type (security and
 * admins, who contain tokens). Revoked and expired tokens are left out: there is nothing left to contain.
 */
export function TokenPicker(props: PickerProps) {
  const { can } = useAuth();
  return (
    <ServerSearchPicker
      list="tokens"
      enabled={can("security")}
      search={async (q, signal) =>
        unwrap(
          await api.GET("/api/v1/tokens/all", { params: { query: { q, active: true, limit: 50 } }, signal }),
        ).items.map(
          (tk): Choice => ({
            value: tk.id,
            label: `${tk.name} (${tk.prefix}…) · ${tk.owner.name} · ${tk.owner.email}`,
          }),
        )
      }
      {...props}
    />
  );
}

/** The teams staff belong to, by name, with their member counts (empty for those who may not list them). */
export function useTeams(): Map<string, number> {
  const { user, can } = useAuth();
  const teams = useQuery({
    queryKey: ["pickers", "teams"],
    enabled: isStaff(user.role) && can("users"),
    staleTime: 60_000,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/teams", { signal })).items,
  });
  return new Map((teams.data ?? []).map((team) => [team.name, team.members]));
}

/**
 * A team, suggested from the teams staff belong to; a name not in the list can still be typed (a team exists
 * once someone names it).
 */
export function TeamPicker({
  value,
  onChange,
  ...props
}: Omit<AutocompleteProps, "data" | "value" | "onChange"> & { value: string; onChange: (team: string) => void }) {
  const { t } = useTranslation();
  const members = useTeams();
  return (
    <Autocomplete
      data={[...members.keys()]}
      value={value}
      onChange={onChange}
      renderOption={({ option }) => (
        <Group justify="space-between" gap="md" wrap="nowrap" w="100%">
          <span>{option.value}</span>
          <Text size="xs" c="dimmed">
            {t("pickers.members", { count: members.get(option.value) ?? 0 })}
          </Text>
        </Group>
      )}
      {...props}
    />
  );
}
