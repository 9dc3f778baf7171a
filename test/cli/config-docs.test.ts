import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configDocs } from "../../src/platform/config.js";

/** Text without the README's markdown: code spans lose their backticks, "(none)" and "none" are the same. */
const plain = (text: string) => text.replaceAll("`", "").replace(/^\((.*)\)$/, "$1");

describe("configuration docs", () => {
  it("the README's table lists every variable configDocs documents, with the same default and meaning", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const rows = [...readme.matchAll(/^\| `(PLANTAO_[A-Z0-9_]+)` \| (.*?) \| (.*?) \|$/gm)]
      .filter((m) => !m[1]!.startsWith("PLANTAO_TEST_"))
      .map((m) => ({ name: m[1], default: plain(m[2]!), meaning: plain(m[3]!) }));
    expect(rows).toEqual(
      configDocs.map((d) => ({ name: d.name, default: plain(d.default), meaning: plain(d.meaning) })),
    );
  });
});
