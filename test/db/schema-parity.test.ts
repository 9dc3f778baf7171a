import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/platform/db/database.js";
import { canonicalType, dialectFor, type Engine, type SchemaTable } from "../../src/platform/db/dialect.js";
import { dictionaryMismatches } from "../../src/platform/db/dictionary.js";
import { latestSchemaVersion, migrateToLatest, migrations, schemaVersion } from "../../src/platform/db/migrate.js";
import { engines, postgresUrl, scratchDatabase } from "../harness.js";

/** Every engine's schema after all migrations, read once per suite. */
const schemas = new Map<Engine, SchemaTable[]>();

beforeAll(async () => {
  for (const engine of engines) {
    const scratch = await scratchDatabase(engine);
    const database = await openDatabase(scratch.url);
    try {
      await migrateToLatest(database.db);
      schemas.set(engine, await database.dialect.describeSchema(database.db));
    } finally {
      await database.close();
      await scratch.drop();
    }
  }
});

/** A PostgreSQL type as SQLite stores it: timestamps and JSON as text, booleans as integers. */
function asSqliteStores(type: string): string {
  const { types } = dialectFor("sqlite");
  return type === "timestamp" || type === "json" || type === "boolean" ? canonicalType(String(types[type])) : type;
}

describe.skipIf(!postgresUrl)("SQLite and PostgreSQL schemas", () => {
  it("have the same tables, columns, types, nullability, indexes and unique constraints", () => {
    const sqlite = schemas.get("sqlite")!;
    const postgres = schemas.get("postgres")!;
    expect(sqlite.length).toBeGreaterThan(0);
    const folded = postgres.map((t) => ({
      ...t,
      columns: t.columns.map((c) => ({ ...c, type: asSqliteStores(c.type) })),
    }));
    expect(sqlite).toEqual(folded);
  });
});

describe.each(engines)("migrations on %s", (engine) => {
  it("applying them again changes nothing", async () => {
    const scratch = await scratchDatabase(engine);
    const database = await openDatabase(scratch.url);
    try {
      expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
      const before = await database.dialect.describeSchema(database.db);
      expect(await migrateToLatest(database.db)).toEqual([]);
      expect(await database.dialect.describeSchema(database.db)).toEqual(before);
      expect(await schemaVersion(database.db)).toBe(latestSchemaVersion);
    } finally {
      await database.close();
      await scratch.drop();
    }
  });

  it("create exactly the tables and columns the data dictionary describes", () => {
    expect(dictionaryMismatches(schemas.get(engine)!, engine)).toEqual([]);
  });
});
