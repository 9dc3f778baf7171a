import { Alert, Badge, Button, Card, Grid, Group, Loader, Select, Stack, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff, tiers } from "../../auth/access";
import { useAfterFirstPaint } from "../../shell/deferred";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { followEvents } from "../events/eventStream";
import { AgentSuggestions } from "../kb/suggestions";
import { TicketCallsPanel } from "../scheduling/TicketCallsPanel";
import { CallsPanel } from "../telephony/CallsPanel";
import { ActionAlert } from "./ActionAlert";
import { AttachmentsPanel } from "./AttachmentsPanel";
import { Composer, type ComposerHandle } from "./Composer";
import { LinksPanel } from "./LinksPanel";
import { MergeDialog, MergedBanner } from "./MergeDialog";
import {
  type Severity,
  type Status,
  severities,
  severityColor,
  staffUsers,
  staffView,
  statusColor,
  statuses,
  type Ticket,
  type Tier,
} from "./model";
import { PresenceBanner, usePresence } from "./Presence";
import { ShortcutsHelp, useShortcuts } from "./Shortcuts";
import { SlaPanel } from "./SlaPanel";
import { TicketTimeline } from "./Timeline";
import { WatchersPanel } from "./WatchersPanel";

type Patch = { status?: Status; severity?: Severity; assigneeId?: string | null; team?: string | null };

function Sidebar({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const staff = isStaff(user.role);
  const writable = can("tickets", "write");
  const client = useQueryClient();
  const assignees = useQuery({
    queryKey: ["users", "staff"],
    queryFn: ({ signal }) => staffUsers(signal),
    enabled: staff,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ["tickets"] });
  const update = useMutation({
    mutationFn: async (patch: Patch) =>
      unwrap(await api.PATCH("/api/v1/tickets/{id}", { params: { path: { id: ticket.id } }, body: patch })),
    onSuccess: () => void refresh(),
  });
  const [tier, setTier] = useState<Tier | null>(null);
  const [reason, setReason] = useState("");
  const escalate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/tickets/{id}/escalate", {
          params: { path: { id: ticket.id } },
          body: { tier: tier ?? "L2", reason },
        }),
      ),
    onSuccess: () => {
      setReason("");
      setTier(null);
      void refresh();
    },
  });
  const [merging, setMerging] = useState(false);
  // A merged ticket takes no more changes: the server refuses them, so the controls say so first.
  const canChange = writable && staff && !ticket.mergedIntoId;
  return (
    <Stack gap="md">
      <Card withBorder padding="md" radius="md">
        <Stack gap="sm">
          <ActionAlert error={update.error} />
          <Select
            id="ticket-status"
            label={t("tickets.status")}
            allowDeselect={false}
            disabled={!canChange || update.isPending}
            data={statuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) }))}
            value={ticket.status}
            onChange={(v) => v && v !== ticket.status && update.mutate({ status: v as Status })}
          />
          <Select
            label={t("tickets.severity")}
            allowDeselect={false}
            disabled={!canChange || update.isPending}
            data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
            value={ticket.severity}
            onChange={(v) => v && v !== ticket.severity && update.mutate({ severity: v as Severity })}
          />
          {staff && (
            <Select
              label={t("tickets.assignee")}
              clearable
              searchable
              disabled={!canChange || update.isPending}
              placeholder={t("tickets.unassigned")}
              data={(assignees.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
              value={ticket.assigneeId}
              onChange={(v) => v !== ticket.assigneeId && update.mutate({ assigneeId: v })}
            />
          )}
          {staff && (
            <Select
              label={t("ticketConsole.team")}
              clearable
              searchable
              disabled={!canChange || update.isPending}
              placeholder={t("ticketConsole.noTeam")}
              data={[
                ...new Set([
                  ...(assignees.data ?? []).flatMap((u) => u.teams ?? []),
                  ...(ticket.team ? [ticket.team] : []),
                ]),
              ]}
              value={ticket.team}
              onChange={(v) => v !== ticket.team && update.mutate({ team: v })}
            />
          )}
          {canChange && ticket.assigneeId !== user.id && (
            <Button variant="light" size="xs" onClick={() => update.mutate({ assigneeId: user.id })}>
              {t("ticketConsole.assignToMe")}
            </Button>
          )}
          {canChange && (
            <Button variant="default" onClick={() => setMerging(true)}>
              {t("tickets.merge.open")}
            </Button>
          )}
        </Stack>
      </Card>
      {canChange && <MergeDialog ticket={ticket} opened={merging} onClose={() => setMerging(false)} />}
      {canChange && (
        <Card
          withBorder
          padding="md"
          radius="md"
          component="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            escalate.mutate();
          }}
        >
          <Stack gap="sm">
            <Title order={3} size="h5">
              {t("tickets.escalate")}
            </Title>
            <ActionAlert error={escalate.error} />
            <Select
              label={t("tickets.toTier")}
              data={tiers.filter((x) => x !== ticket.tier)}
              value={tier}
              onChange={(v) => setTier(v as Tier | null)}
            />
            <TextInput label={t("tickets.reason")} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
            <Button
              type="submit"
              variant="light"
              color="orange"
              loading={escalate.isPending}
              disabled={!tier || !reason.trim()}
            >
              {t("tickets.escalate")}
            </Button>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

/**
 * The open queue in its default order (urgency: the soonest SLA breach first), to step to the next or previous
 * ticket from the keyboard: the same order the queue page shows.
 */
async function queueNeighbour(id: string, step: 1 | -1): Promise<string | undefined> {
  const { items } = unwrap(
    await api.GET("/api/v1/tickets/queue", { params: { query: { queue: "open", sort: "urgency", limit: 200 } } }),
  );
  const at = items.findIndex((x) => x.id === id);
  return (at === -1 ? items[0] : items[at + step])?.id;
}

export function TicketPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { can, user } = useAuth();
  const staff = isStaff(user.role);
  const navigate = useNavigate();
  const client = useQueryClient();
  const composer = useRef<ComposerHandle>(null);
  const [typing, setTyping] = useState(false);
  const [help, setHelp] = useState(false);
  const ticket = useQuery({
    queryKey: ["tickets", id],
    queryFn: async ({ signal }) =>
      staffView(unwrap(await api.GET("/api/v1/tickets/{id}", { params: { path: { id } }, signal }))),
  });
  const organization = useQuery({
    queryKey: ["organizations", ticket.data?.organizationId],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/organizations/{id}", {
          params: { path: { id: ticket.data?.organizationId ?? "" } },
          signal,
        }),
      ),
    enabled: Boolean(ticket.data?.organizationId),
  });
  const presence = usePresence(id, typing, staff && ticket.isSuccess);
  const live = can("events", "read");
  const refreshPresence = presence.refresh;
  // Changes made elsewhere (another agent, the customer, an SLA breach) refresh the ticket, its timeline and SLA;
  // another agent arriving or typing refreshes only the collision warning.
  useEffect(() => {
    if (!live) return;
    return followEvents("/api/v1/events", {
      onEvent: (event) => {
        if (event.subjectId !== id) return;
        if (event.type === "ticket.presence") void refreshPresence();
        else void client.invalidateQueries({ queryKey: ["tickets", id] });
      },
      onState: () => {},
    });
  }, [client, id, live, refreshPresence]);
  const assign = useMutation({
    mutationFn: async () =>
      unwrap(await api.PATCH("/api/v1/tickets/{id}", { params: { path: { id } }, body: { assigneeId: user.id } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["tickets"] }),
  });
  const [noNext, setNoNext] = useState(false);
  const go = useCallback(
    async (step: 1 | -1) => {
      const other = await queueNeighbour(id, step);
      if (other && other !== id) navigate(`/tickets/${other}`);
      else setNoNext(true);
    },
    [id, navigate],
  );
  const actions = useMemo(
    () => ({
      next: () => void go(1),
      previous: () => void go(-1),
      reply: () => composer.current?.focus("public"),
      note: () => composer.current?.focus("internal"),
      assign: () => assign.mutate(),
      status: () => {
        const field = document.getElementById("ticket-status");
        field?.focus();
        field?.click();
      },
      help: () => setHelp(true),
    }),
    [go, assign],
  );
  useShortcuts(actions, staff && ticket.isSuccess);
  const panelsShown = useAfterFirstPaint(ticket.isSuccess);
  if (ticket.isPending) return <Loader aria-label={t("common.loading")} />;
  if (ticket.isError) return <ProblemAlert error={ticket.error} />;
  const tk = ticket.data;
  const requester = [tk.requester.name, tk.requester.email, tk.requester.phone].filter(Boolean).join(" · ");
  return (
    <>
      <PageHeader title={`#${tk.number} ${tk.subject}`} subtitle={`${organization.data?.name ?? "…"} — ${requester}`}>
        <Group gap="xs">
          <Badge color={statusColor[tk.status] ?? "gray"} variant="light">
            {t(`tickets.statuses.${tk.status as Status}`, { defaultValue: tk.status })}
          </Badge>
          <Badge color={severityColor[tk.severity] ?? "gray"}>
            {t(`tickets.severities.${tk.severity as Severity}`, { defaultValue: tk.severity })}
          </Badge>
          <Badge variant="outline">{t(`tickets.tiers.${tk.tier as Tier}`, { defaultValue: tk.tier })}</Badge>
          <Badge variant="outline" color="gray">
            {t(`tickets.types.${tk.type as "bug"}`, { defaultValue: tk.type })}
          </Badge>
          {staff && (
            <Button size="compact-xs" variant="subtle" onClick={() => setHelp(true)}>
              {t("ticketConsole.shortcuts.open")}
            </Button>
          )}
        </Group>
      </PageHeader>
      <ShortcutsHelp opened={help} onClose={() => setHelp(false)} />
      {/* Keyed by ticket: following a link to another ticket starts its forms afresh. */}
      <Grid key={tk.id}>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="sm">
            <PresenceBanner others={presence.others} />
            {noNext && (
              <Alert color="gray" withCloseButton onClose={() => setNoNext(false)}>
                {t("ticketConsole.shortcuts.noNext")}
              </Alert>
            )}
            <ActionAlert error={assign.error} />
            <MergedBanner ticket={tk} />
            <TicketTimeline ticket={tk} />
            <Composer ticket={tk} ref={composer} onTyping={setTyping} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          {/* The side panels just after the conversation: drawn with it, they held its first paint back. */}
          {panelsShown && (
            <Stack gap="md">
              <SlaPanel ticketId={tk.id} updatedAt={tk.updatedAt} />
              {staff && (
                <AgentSuggestions
                  ticket={tk}
                  onInsert={(markdown) => composer.current?.insert(markdown)}
                  canDraft={can("kb", "write")}
                />
              )}
              <Sidebar ticket={tk} />
              <LinksPanel ticket={tk} />
              <WatchersPanel ticket={tk} />
              <TicketCallsPanel ticket={tk} />
              {staff && <CallsPanel ticketId={tk.id} closed={Boolean(tk.mergedIntoId) || tk.status === "closed"} />}
              <AttachmentsPanel ticket={tk} />
            </Stack>
          )}
        </Grid.Col>
      </Grid>
    </>
  );
}
