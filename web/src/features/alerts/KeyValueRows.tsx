import { ActionIcon, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { nextKey, type Row } from "./rule-form";

/** Name/value rows (label matchers, labels, annotations), each removable, with a button adding one. */
export function KeyValueRows({
  title,
  rows,
  onChange,
  nameLabel,
  valueLabel,
  addLabel,
  removeLabel,
  error,
  testId,
}: {
  title: string;
  rows: Row[];
  onChange: (rows: Row[]) => void;
  nameLabel: string;
  valueLabel: string;
  addLabel: string;
  removeLabel: string;
  error?: string;
  testId: string;
}) {
  const change = (key: number, patch: Partial<Row>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <Stack gap={6} data-testid={testId}>
      <Text fw={500} size="sm">
        {title}
      </Text>
      {rows.map((r) => (
        <Group key={r.key} gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            label={nameLabel}
            value={r.name}
            onChange={(e) => change(r.key, { name: e.currentTarget.value })}
            style={{ flex: "1 1 6rem", minWidth: 0 }}
          />
          <TextInput
            label={valueLabel}
            value={r.value}
            onChange={(e) => change(r.key, { value: e.currentTarget.value })}
            style={{ flex: "2 1 8rem", minWidth: 0 }}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={removeLabel}
            onClick={() => onChange(rows.filter((x) => x.key !== r.key))}
            mb={4}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      {error && (
        <Text c="red" size="xs" role="alert">
          {error}
        </Text>
      )}
      <Group>
        <Button
          variant="default"
          size="xs"
          onClick={() => onChange([...rows, { key: nextKey(rows), name: "", value: "" }])}
        >
          {addLabel}
        </Button>
      </Group>
    </Stack>
  );
}
