import { Alert, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** A webhook's signing secret, shown the one time the server returns it, with a copy button. */
export function SecretOnce({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert
      color="green"
      title={t("webhooks.secretTitle", { name })}
      withCloseButton
      onClose={onClose}
      closeButtonLabel={t("common.close")}
      mb="md"
    >
      <Stack gap="xs">
        <Text size="sm">{t("webhooks.secretOnce")}</Text>
        <Group gap="xs" wrap="nowrap">
          <Code data-testid="webhook-secret" style={{ wordBreak: "break-all" }}>
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
