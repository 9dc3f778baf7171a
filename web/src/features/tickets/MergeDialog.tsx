import { Alert, Anchor, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { fieldErrors } from "../../shell/problem";
import { ActionAlert } from "./ActionAlert";
import { type Status, staffView, type Ticket, ticketByNumber, UnknownTicketNumber } from "./model";

type Target = Awaited<ReturnType<typeof ticketByNumber>> & {};

/**
 * Merging in two steps: find the target by its number, then confirm with the target in view. The merged ticket
 * is closed for good, so the confirmation names both tickets.
 */
export function MergeDialog({ ticket, opened, onClose }: { ticket: Ticket; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [number, setNumber] = useState("");
  const [target, setTarget] = useState<Target | null>(null);
  const find = useMutation({
    mutationFn: async () => {
      const found = await ticketByNumber(number);
      if (!found) throw new UnknownTicketNumber(t("tickets.links.unknownNumber", { number: number.trim() }));
      if (found.id === ticket.id) throw new UnknownTicketNumber(t("tickets.merge.self"));
      return found;
    },
    onSuccess: setTarget,
  });
  const merge = useMutation({
    mutationFn: async (into: Target) =>
      unwrap(
        await api.POST("/api/v1/tickets/{id}/merge", {
          params: { path: { id: ticket.id } },
          body: { intoTicketId: into.id },
        }),
      ),
    onSuccess: (merged) => {
      client.setQueryData(["tickets", ticket.id], merged);
      void client.invalidateQueries({ queryKey: ["tickets"] });
      close();
    },
  });
  const close = () => {
    setNumber("");
    setTarget(null);
    find.reset();
    merge.reset();
    onClose();
  };
  const errors = fieldErrors(merge.error);
  const numberError =
    find.error instanceof UnknownTicketNumber ? find.error.message : (errors["/intoTicketId"] ?? undefined);
  const search = (event: FormEvent) => {
    event.preventDefault();
    merge.reset();
    setTarget(null);
    find.mutate();
  };
  return (
    <Modal opened={opened} onClose={close} title={t("tickets.merge.title", { number: ticket.number })}>
      <Stack gap="sm">
        <Text size="sm">{t("tickets.merge.explain")}</Text>
        <ActionAlert error={find.error instanceof UnknownTicketNumber ? null : find.error} />
        <ActionAlert error={merge.error} shown={["/intoTicketId"]} conflict={t("tickets.merge.already")} />
        <form onSubmit={search} noValidate>
          <Group gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              label={t("tickets.merge.into")}
              placeholder="#123"
              style={{ flex: 1 }}
              value={number}
              error={numberError}
              onChange={(e) => {
                setNumber(e.currentTarget.value);
                setTarget(null);
              }}
              data-autofocus
            />
            <Button type="submit" variant="light" mt={25} loading={find.isPending} disabled={!number.trim()}>
              {t("tickets.merge.find")}
            </Button>
          </Group>
        </form>
        {target && (
          <Alert color="orange" title={t("tickets.merge.confirmTitle")} data-testid="merge-target">
            <Stack gap="xs">
              <Text size="sm">
                {t("tickets.merge.confirm", {
                  source: ticket.number,
                  target: target.number,
                  subject: target.subject,
                  status: t(`tickets.statuses.${target.status as Status}`, { defaultValue: target.status }),
                })}
              </Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>
                  {t("common.cancel")}
                </Button>
                <Button color="orange" loading={merge.isPending} onClick={() => merge.mutate(target)}>
                  {t("tickets.merge.submit", { number: target.number })}
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
      </Stack>
    </Modal>
  );
}

/** Above a merged ticket: where its conversation went, with a link there. */
export function MergedBanner({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const intoId = ticket.mergedIntoId ?? "";
  const target = useQuery({
    queryKey: ["tickets", intoId],
    queryFn: async ({ signal }) =>
      staffView(unwrap(await api.GET("/api/v1/tickets/{id}", { params: { path: { id: intoId } }, signal }))),
    enabled: Boolean(ticket.mergedIntoId),
  });
  if (!ticket.mergedIntoId) return null;
  return (
    <Alert color="gray" title={t("tickets.merge.bannerTitle")} data-testid="merged-banner">
      <Text size="sm">
        {t("tickets.merge.banner")}{" "}
        <Anchor component={Link} to={`/tickets/${intoId}`}>
          {target.data ? `#${target.data.number} ${target.data.subject}` : t("tickets.merge.target")}
        </Anchor>
      </Text>
    </Alert>
  );
}
