import { Kbd, Modal, Table } from "@mantine/core";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

export interface ShortcutActions {
  next(): void;
  previous(): void;
  reply(): void;
  note(): void;
  assign(): void;
  status(): void;
  help(): void;
}

/** The ticket page's keys, listed on `?`. */
export const shortcuts = [
  { key: "j", action: "next" },
  { key: "k", action: "previous" },
  { key: "r", action: "reply" },
  { key: "n", action: "note" },
  { key: "a", action: "assign" },
  { key: "s", action: "status" },
  { key: "?", action: "help" },
] as const;

/** Whether a key press belongs to something being typed (a field, a menu), not to the page. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function useShortcuts(actions: ShortcutActions, enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const hit = shortcuts.find((s) => s.key === e.key);
      if (!hit) return;
      e.preventDefault();
      actions[hit.action]();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [actions, enabled]);
}

export function ShortcutsHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t("ticketConsole.shortcuts.title")} size="sm">
      <Table data-testid="shortcuts-help">
        <Table.Tbody>
          {[...shortcuts, { key: "Ctrl+Enter", action: "send" as const }].map((s) => (
            <Table.Tr key={s.key}>
              <Table.Td>
                <Kbd>{s.key}</Kbd>
              </Table.Td>
              <Table.Td>{t(`ticketConsole.shortcuts.${s.action}`)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
