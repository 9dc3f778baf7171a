import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resources } from "../../i18n";
import { actionLabel, detailLabel, detailValue, type Lookup, plainValue } from "./entryText";

/** What the page's useLookup gives: the text at a dotted path of one language's translations. */
const lookupIn =
  (language: keyof typeof resources): Lookup =>
  (path) =>
    path
      .split(".")
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key],
        resources[language].translation,
      );

const modules = join(dirname(fileURLToPath(import.meta.url)), "../../../../src/modules");

/** The action ids the server writes as literals: `action: "x.y"` (either side of a ternary) and its helpers' calls. */
function auditedActions(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(modules, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
    for (const line of readFileSync(join(modules, file), "utf8").split("\n")) {
      if (!/\baction: |#audit\(|auditCall\(|activity\.record\(/.test(line)) continue;
      for (const m of line.matchAll(/"([a-z_]+(?:\.[a-z_-]+)+)"/g)) found.add(m[1] as string);
    }
  }
  return [...found].sort();
}

describe("audit entries in words", () => {
  it("names every action the server records, in both languages", () => {
    const actions = auditedActions();
    expect(actions.length).toBeGreaterThan(100);
    expect(actions).toContain("user.created");
    for (const language of ["pt-BR", "en"] as const) {
      expect(actions.filter((a) => !actionLabel(a, lookupIn(language)))).toEqual([]);
    }
  });

  it("gives an unknown action or key no words, so it shows as its id", () => {
    const lookup = lookupIn("pt-BR");
    expect(actionLabel("user.created", lookup)).toBe("Usuário criado");
    expect(actionLabel("user.totp", lookup)).toBeNull();
    expect(actionLabel("made.up", lookup)).toBeNull();
    expect(detailLabel("ticketId", lookup)).toBe("Chamado");
    expect(detailLabel("madeUp", lookup)).toBeNull();
  });

  it("reads each kind of details value", () => {
    const number = (n: number) => n.toLocaleString("pt-BR");
    expect(detailValue("at", "2026-12-06T05:53:00.000Z", number)).toEqual({
      kind: "instant",
      value: "2026-12-06T05:53:00.000Z",
    });
    expect(detailValue("reason", "locked", number)).toEqual({ kind: "text", value: "locked" });
    expect(detailValue("number", 1234, number)).toEqual({ kind: "text", value: "1234" });
    expect(detailValue("ratio", 0.5, number)).toEqual({ kind: "text", value: "0,5" });
    expect(detailValue("active", false, number)).toEqual({ kind: "flag", value: false });
    expect(detailValue("scopes", ["tickets:read", "tickets:write"], number)).toEqual({
      kind: "text",
      value: "tickets:read, tickets:write",
    });
    const changes = [{ path: "/name", before: "a", after: "b" }];
    expect(detailValue("changes", changes, number)).toEqual({ kind: "changes", value: changes });
    // A record created is one change of the whole object: it reads field by field.
    expect(
      detailValue("changes", [{ path: "/", before: null, after: { name: "Ana", limits: { seats: 3 } } }], number),
    ).toEqual({
      kind: "changes",
      value: [
        { path: "/name", before: undefined, after: "Ana" },
        { path: "/limits/seats", before: undefined, after: 3 },
      ],
    });
    expect(detailValue("target", { host: "db" }, number)).toEqual({ kind: "json", value: { host: "db" } });
    expect(detailValue("error", null, number)).toEqual({ kind: "text", value: "—" });
    const instant = (iso: string) => `at ${iso.slice(0, 10)}`;
    expect([undefined, "Ana", 3, ["a"], "2026-12-06T05:53:00Z"].map((v) => plainValue(v, instant))).toEqual([
      "—",
      "Ana",
      "3",
      '["a"]',
      "at 2026-12-06",
    ]);
  });
});
