import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every folder holding translations: the app's own and each feature's. */
function translationFolders(): string[] {
  const features = join(web, "features");
  return [
    join(web, "i18n"),
    ...readdirSync(features, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(features, d.name, "i18n"))
      .filter((dir) => {
        try {
          return readdirSync(dir).some((f) => f.endsWith(".json"));
        } catch {
          return false;
        }
      }),
  ];
}

/** A translation file's keys as dotted paths, with the kind of each value. */
function keys(value: unknown, prefix = ""): string[] {
  if (value && typeof value === "object" && !Array.isArray(value))
    return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

/** The {{params}} a text uses, so both languages interpolate the same values. */
function params(file: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, prefix: string) => {
    if (typeof value === "string") {
      const names = [...value.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]).sort();
      out.set(prefix, [...new Set(names)].join(","));
    } else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  walk(JSON.parse(readFileSync(file, "utf8")), "");
  return out;
}

describe("translations", () => {
  const folders = translationFolders();

  it("are found in the app and in the features that keep their own", () => {
    expect(folders.length).toBeGreaterThanOrEqual(3);
  });

  for (const folder of folders) {
    const name = relative(web, folder);
    it(`${name}: every key exists in pt-BR and in English, with the same parameters`, () => {
      const files = readdirSync(folder).filter((f) => f.endsWith(".json"));
      expect(files.sort()).toEqual(["en.json", "pt-BR.json"]);
      const pt = keys(JSON.parse(readFileSync(join(folder, "pt-BR.json"), "utf8")));
      const en = keys(JSON.parse(readFileSync(join(folder, "en.json"), "utf8")));
      expect(
        pt.filter((k) => !en.includes(k)),
        "keys only in pt-BR",
      ).toEqual([]);
      expect(
        en.filter((k) => !pt.includes(k)),
        "keys only in English",
      ).toEqual([]);
      const ptParams = params(join(folder, "pt-BR.json"));
      const enParams = params(join(folder, "en.json"));
      const differing = [...ptParams].filter(([k, p]) => enParams.has(k) && enParams.get(k) !== p).map(([k]) => k);
      expect(differing, "texts whose parameters differ").toEqual([]);
    });
  }
});
