import type { Generated } from "kysely";

/**
 * Row types of every table. Instants are ISO-8601 UTC strings on both engines; JSON columns are text
 * that the repositories parse; booleans arrive as 0/1 on SQLite and are read with `Boolean()`.
 */
export interface JobTable {
  id: string;
  kind: string;
  payload: string;
  status: "queued" | "running" | "succeeded" | "dead";
  run_at: string;
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  schedule_name: string | null;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ScheduleTable {
  name: string;
  kind: string;
  cron: string;
  timezone: string;
  payload: string;
  enabled: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface EventTable {
  id: Generated<number>;
  type: string;
  organization_id: string | null;
  subject_id: string | null;
  payload: string;
  created_at: string;
}

export interface DB {
  jobs: JobTable;
  schedules: ScheduleTable;
  events: EventTable;
}
