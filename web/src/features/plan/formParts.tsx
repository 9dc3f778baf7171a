import { Autocomplete, type AutocompleteProps, Card, Group, NumberInput, Select, Stack, Title } from "@mantine/core";
import { createContext, type ReactNode, useContext } from "react";
import { useTranslation } from "react-i18next";
import type { PlanDocument } from "./queries";

export type Span = { value: number; unit: string };

/** The plan being edited, and how its sections change it and read the server's verdict on it. */
export interface PlanEditor {
  doc: PlanDocument;
  /** Replaces the value at a JSON Pointer (its parent must exist). */
  set: (pointer: string, value: unknown) => void;
  /** Any change of the whole document, for lists that grow and shrink. */
  update: (change: (doc: PlanDocument) => void) => void;
  /** The server's error on the field at a JSON Pointer of the document, in the reader's language. */
  error: (pointer: string) => string | undefined;
  /** The current plan's findings naming a field under a JSON Pointer prefix. */
  notes: (prefix: string) => ReactNode[];
}

/** A copy of `doc` with the value at a JSON Pointer replaced (its parent must exist). */
export function setAt<T>(doc: T, pointer: string, value: unknown): T {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const keys = pointer.split("/").slice(1);
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1] as string] = value;
  return copy as T;
}

/** An amount and its unit, with the server's errors on either. */
export function SpanInput({
  editor,
  pointer,
  value,
  units,
  label,
}: {
  editor: Pick<PlanEditor, "set" | "error">;
  pointer: string;
  value: Span;
  units: string[];
  label: string;
}) {
  const { t } = useTranslation();
  return (
    <Group gap={4} align="flex-start" wrap="nowrap">
      <NumberInput
        label={label}
        min={0}
        value={value.value}
        error={editor.error(`${pointer}/value`) ?? editor.error(pointer)}
        onChange={(v) => editor.set(`${pointer}/value`, Number(v))}
        w={110}
      />
      <Select
        label={t("plan.unit")}
        allowDeselect={false}
        data={units.map((u) => ({ value: u, label: t(`plan.unitNames.${u as "hours"}`) }))}
        value={value.unit}
        error={editor.error(`${pointer}/unit`)}
        onChange={(v) => v && editor.set(`${pointer}/unit`, v)}
        w={150}
      />
    </Group>
  );
}

const halfHours = Array.from(
  { length: 49 },
  (_, i) => `${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`,
);

/**
 * A time of day, HH:MM, typed or chosen by the half hour. Not a browser time input: that cannot hold 24:00, the
 * end of a day open until midnight, and would show it as 23:59. The server judges what is typed.
 */
export function HourInput({ end = false, ...props }: Omit<AutocompleteProps, "data"> & { end?: boolean }) {
  return (
    <Autocomplete
      data={end ? halfHours.slice(1) : halfHours.slice(0, -1)}
      placeholder="HH:MM"
      maxLength={5}
      inputMode="numeric"
      maxDropdownHeight={220}
      {...props}
    />
  );
}

const zones = Intl.supportedValuesOf("timeZone");

/** An IANA time zone, searched by name; a saved zone this browser does not know stays shown for the server to judge. */
export function TimeZoneSelect({
  value,
  onChange,
  error,
  w = 220,
}: {
  value: string;
  onChange: (zone: string) => void;
  error?: string;
  w?: number;
}) {
  const { t } = useTranslation();
  return (
    <Select
      label={t("plan.form.timeZone")}
      searchable
      allowDeselect={false}
      data={zones.includes(value) ? zones : [value, ...zones]}
      value={value}
      error={error}
      onChange={(v) => v && onChange(v)}
      w={w}
    />
  );
}

/** Whether the sections show their inputs yet; PlanForm first draws only their titles and findings. */
export const InputsShown = createContext(true);

export function Section({ title, notes, children }: { title: string; notes: ReactNode[]; children: ReactNode }) {
  const inputsShown = useContext(InputsShown);
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <Stack gap="xs">
        {notes}
        {inputsShown && children}
      </Stack>
    </Card>
  );
}
