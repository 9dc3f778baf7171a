import { Alert, Button, Code, CopyButton, Group, type MantineSpacing, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** A secret the server returns only once (a token, a signing key), with a copy button. */
export function SecretOnce({
  title,
  note,
  secret,
  testId,
  onClose,
  mb,
}: {
  title: string;
  note: string;
  secret: string;
  testId: string;
  onClose: () => void;
  mb?: MantineSpacing;
}) {
  const { t } = useTranslation();
  return (
    <Alert color="green" title={title} withCloseButton onClose={onClose} closeButtonLabel={t("common.close")} mb={mb}>
      <Stack gap="xs">
        <Text size="sm">{note}</Text>
        <Group gap="xs" wrap="nowrap">
          <Code data-testid={testId} style={{ wordBreak: "break-all" }}>
            {secret}
          </Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? t("common.copied") : t("common.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}
