import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { authorize } from "../identity/actor.js";
import type { Backups } from "./model.js";
import * as S from "./schemas.js";

const problem = Type.Ref("Problem");
const problems = { 401: problem, 403: problem };
const withId = { 400: problem, ...problems, 404: problem };
const tags = ["backups"];

export function backupRoutes(backups: Backups) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/backup-jobs",
      { schema: { tags, summary: "Every backup job", response: { 200: S.JobList, ...problems } } },
      async (request) => {
        authorize(request, "backups", "read");
        return { items: await backups.jobs.list() };
      },
    );

    app.post(
      "/api/v1/backup-jobs",
      {
        schema: {
          tags,
          summary: "Create a backup job; the repository is opened (or initialised) with the password first",
          body: S.JobInput,
          response: { 201: S.Job, 400: problem, ...problems },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "backups", "write");
        return reply.code(201).send(await backups.jobs.create(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id",
      { schema: { tags, summary: "One backup job", params: S.JobParams, response: { 200: S.Job, ...withId } } },
      async (request) => {
        authorize(request, "backups", "read");
        return backups.jobs.get(request.params.id);
      },
    );

    app.patch(
      "/api/v1/backup-jobs/:id",
      {
        schema: {
          tags,
          summary: "Change a backup job; a new repository or password is checked before it is saved",
          params: S.JobParams,
          body: S.JobPatch,
          response: { 200: S.Job, ...withId },
        },
      },
      async (request) => {
        const actor = authorize(request, "backups", "write");
        return backups.jobs.update(actor, request.params.id, request.body, request);
      },
    );

    app.delete(
      "/api/v1/backup-jobs/:id",
      {
        schema: {
          tags,
          summary: "Delete a backup job and its history here; the repository and its snapshots stay",
          params: S.JobParams,
          response: { 204: Type.Null(), ...withId },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "backups", "write");
        await backups.jobs.remove(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/backup-jobs/:id/run",
      {
        schema: {
          tags,
          summary: "Queue a backup now; a locked repository is retried, the run's history shows each attempt",
          params: S.JobParams,
          body: Type.Optional(S.RunInput),
          response: { 202: S.Run, ...withId },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "backups", "write");
        const kind = request.body?.kind ?? "incremental";
        return reply
          .code(202)
          .send(await backups.runner.request(actor, request.params.id, { operation: "backup", kind }, request));
      },
    );

    app.post(
      "/api/v1/backup-jobs/:id/operations",
      {
        schema: {
          tags,
          summary: "Queue a repository check (next read-data subset), a retention prune, or removal of stale locks",
          params: S.JobParams,
          body: S.OperationInput,
          response: { 202: S.Run, ...withId },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "backups", "write");
        return reply
          .code(202)
          .send(await backups.runner.request(actor, request.params.id, { operation: request.body.operation }, request));
      },
    );

    app.post(
      "/api/v1/backup-jobs/:id/restores",
      {
        schema: {
          tags,
          summary: "Queue a restore of a snapshot to a path, a database, or in place (confirmed by the job's name)",
          params: S.JobParams,
          body: S.RestoreInput,
          response: { 202: S.Run, ...withId, 409: problem },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "backups", "write");
        const { snapshotId, target } = request.body;
        return reply
          .code(202)
          .send(
            await backups.runner.request(
              actor,
              request.params.id,
              { operation: "restore", snapshotId, target },
              request,
            ),
          );
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id/runs",
      {
        schema: {
          tags,
          summary: "The job's history of backups, checks, prunes and restores, newest first",
          params: S.JobParams,
          querystring: S.RunsQuery,
          response: { 200: S.RunsPage, ...withId },
        },
      },
      async (request) => {
        authorize(request, "backups", "read");
        const { limit = 50, cursor, operation } = request.query;
        const items = await backups.runner.runs(request.params.id, {
          limit: limit + 1,
          before: decodeCursor(cursor),
          operation,
        });
        return toPage(items, limit, (r) => r.id);
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id/runs/:runId",
      { schema: { tags, summary: "One run", params: S.RunParams, response: { 200: S.Run, ...withId } } },
      async (request) => {
        authorize(request, "backups", "read");
        return backups.runner.run(request.params.id, request.params.runId);
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id/snapshots",
      {
        schema: {
          tags,
          summary:
            "The job's snapshots, newest first, each with the retention rule that keeps it (or none: pruned next)",
          params: S.JobParams,
          response: { 200: S.SnapshotList, ...withId },
        },
      },
      async (request) => {
        authorize(request, "backups", "read");
        return { items: await backups.runner.snapshots(request.params.id) };
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id/locks",
      {
        schema: {
          tags,
          summary: "Locks held in the job's repository, stale ones marked; Plantão never removes them",
          params: S.JobParams,
          response: { 200: S.LockList, ...withId },
        },
      },
      async (request) => {
        authorize(request, "backups", "read");
        return { items: await backups.runner.locks(request.params.id) };
      },
    );

    app.post(
      "/api/v1/backup-jobs/:id/restore-tests",
      {
        schema: {
          tags,
          summary: "Start a restore test: restore to scratch, compare checksums, load database dumps and check them",
          params: S.JobParams,
          body: Type.Optional(S.RestoreTestInput),
          response: { 202: S.RestoreTest, ...withId },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "backups", "write");
        return reply
          .code(202)
          .send(await backups.restoreTests.start(actor, request.params.id, request.body?.snapshotId, request));
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id/restore-tests",
      {
        schema: {
          tags,
          summary: "The job's restore tests, newest first",
          params: S.JobParams,
          querystring: S.RestoreTestsQuery,
          response: { 200: S.RestoreTestsPage, ...withId },
        },
      },
      async (request) => {
        authorize(request, "backups", "read");
        const { limit = 50, cursor } = request.query;
        const items = await backups.restoreTests.list(request.params.id, {
          limit: limit + 1,
          before: decodeCursor(cursor),
        });
        return toPage(items, limit, (r) => r.id);
      },
    );

    app.get(
      "/api/v1/backup-jobs/:id/restore-tests/:testId",
      {
        schema: {
          tags,
          summary: "One restore test",
          params: S.RestoreTestParams,
          response: { 200: S.RestoreTest, ...withId },
        },
      },
      async (request) => {
        authorize(request, "backups", "read");
        return backups.restoreTests.get(request.params.id, request.params.testId);
      },
    );

    app.get(
      "/api/v1/backups/rpo",
      {
        schema: {
          tags,
          summary:
            "Measured RPO (now minus the newest restorable point) and RTO (last passed restore test) against targets",
          response: { 200: S.Rpo, ...problems },
        },
      },
      async (request) => {
        authorize(request, "backups", "read");
        return backups.rpo.measure();
      },
    );
  };
  return plugin;
}
