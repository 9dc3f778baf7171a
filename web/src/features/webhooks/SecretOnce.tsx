import { useTranslation } from "react-i18next";
import { SecretOnce as Secret } from "../../shell/SecretOnce";

/** A webhook's signing secret, shown the one time the server returns it. */
export function SecretOnce({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Secret
      title={t("webhooks.secretTitle", { name })}
      note={t("webhooks.secretOnce")}
      secret={secret}
      testId="webhook-secret"
      onClose={onClose}
      mb="md"
    />
  );
}
