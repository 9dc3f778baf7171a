import { readFile, statfs } from "node:fs/promises";
import type { Family } from "./exposition.js";

/**
 * The built-in collector of the host Plantão runs on, from /proc and statfs, under node_exporter's metric
 * names so the same rules and charts work with or without an exporter.
 */

const gauge = (name: string, help: string, samples: Family["samples"]): Family => ({
  name,
  type: "gauge",
  help,
  samples,
});
const counter = (name: string, help: string, samples: Family["samples"]): Family => ({
  name,
  type: "counter",
  help,
  samples,
});
const sample = (name: string, labels: Record<string, string>, value: number) => ({
  name,
  labels,
  value,
  timestampMs: null,
});

const CPU_MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];
/** File systems worth watching; pseudo ones (proc, tmpfs, overlay…) are left out. */
const REAL_FS = /^(ext[234]|xfs|btrfs|zfs|vfat|f2fs|nfs4?|cifs)$/;

export async function collectHost(proc = "/proc"): Promise<Family[]> {
  const families: Family[] = [];
  const hz = 100; // USER_HZ on every Linux architecture Node supports.
  const stat = await readFile(`${proc}/stat`, "utf8");
  const cpu: Family["samples"] = [];
  for (const line of stat.split("\n")) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const fields = m[2]!.trim().split(/\s+/).map(Number);
    CPU_MODES.forEach((mode, i) => {
      if (fields[i] !== undefined) cpu.push(sample("node_cpu_seconds_total", { cpu: m[1]!, mode }, fields[i]! / hz));
    });
  }
  families.push(counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", cpu));

  const meminfo = await readFile(`${proc}/meminfo`, "utf8");
  for (const line of meminfo.split("\n")) {
    const m = /^(MemTotal|MemFree|MemAvailable|Buffers|Cached|SwapTotal|SwapFree):\s+(\d+)\s*kB/.exec(line);
    if (m)
      families.push(
        gauge(`node_memory_${m[1]}_bytes`, `Memory information field ${m[1]}.`, [
          sample(`node_memory_${m[1]}_bytes`, {}, Number(m[2]) * 1024),
        ]),
      );
  }

  const load = (await readFile(`${proc}/loadavg`, "utf8")).trim().split(/\s+/).map(Number);
  families.push(gauge("node_load1", "1m load average.", [sample("node_load1", {}, load[0]!)]));
  families.push(gauge("node_load5", "5m load average.", [sample("node_load5", {}, load[1]!)]));

  const size: Family["samples"] = [];
  const avail: Family["samples"] = [];
  const seen = new Set<string>();
  for (const line of (await readFile(`${proc}/mounts`, "utf8")).split("\n")) {
    const [device, mountpoint, fstype] = line.split(" ");
    if (!device || !mountpoint || !fstype || !REAL_FS.test(fstype) || seen.has(mountpoint)) continue;
    seen.add(mountpoint);
    try {
      const s = await statfs(mountpoint);
      const labels = { device, mountpoint, fstype };
      size.push(sample("node_filesystem_size_bytes", labels, s.blocks * s.bsize));
      avail.push(sample("node_filesystem_avail_bytes", labels, s.bavail * s.bsize));
    } catch {
      // A mount we may not stat (permissions, a stale network mount) is left out.
    }
  }
  families.push(gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", size));
  families.push(gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", avail));

  const rx: Family["samples"] = [];
  const tx: Family["samples"] = [];
  for (const line of (await readFile(`${proc}/net/dev`, "utf8")).split("\n").slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    rx.push(sample("node_network_receive_bytes_total", { device: m[1]! }, f[0]!));
    tx.push(sample("node_network_transmit_bytes_total", { device: m[1]! }, f[8]!));
  }
  families.push(counter("node_network_receive_bytes_total", "Network device statistic receive_bytes.", rx));
  families.push(counter("node_network_transmit_bytes_total", "Network device statistic transmit_bytes.", tx));
  return families;
}

/**
 * Connections in use against the server's maximum, from postgres_exporter (backends of every database over
 * `max_connections`) or mysqld_exporter (threads connected over `max_connections`); null without both.
 */
function connectionUse(byName: ReadonlyMap<string, Family>): number | null {
  const value = (name: string) => byName.get(name)?.samples[0]?.value;
  const pgMax = value("pg_settings_max_connections");
  const backends = byName.get("pg_stat_database_numbackends")?.samples;
  if (pgMax && backends?.length) return (100 * backends.reduce((sum, s) => sum + s.value, 0)) / pgMax;
  const myMax = value("mysql_global_variables_max_connections");
  const threads = value("mysql_global_status_threads_connected");
  if (myMax && threads !== undefined) return (100 * threads) / myMax;
  return null;
}

/** Counters of the last scrape per target, for the usage gauges derived from two scrapes. */
export interface CpuReading {
  busy: number;
  total: number;
}

/**
 * Resource-use gauges the plan's KPIs are written in (percent of CPU, memory and each file system), derived
 * from node_exporter's metrics, whoever produced them: `instance:cpu_usage:percent` needs the previous
 * scrape's CPU counters (returned for the next call).
 */
export function usageGauges(
  families: readonly Family[],
  previous: CpuReading | undefined,
): { families: Family[]; cpu: CpuReading | undefined } {
  const byName = new Map(families.map((f) => [f.name, f]));
  const out: Family[] = [];
  let reading: CpuReading | undefined;
  const cpu = byName.get("node_cpu_seconds_total");
  if (cpu && cpu.samples.length > 0) {
    let total = 0;
    let idle = 0;
    for (const s of cpu.samples) {
      total += s.value;
      if (s.labels.mode === "idle" || s.labels.mode === "iowait") idle += s.value;
    }
    reading = { busy: total - idle, total };
    if (previous && total > previous.total) {
      const percent = (100 * (reading.busy - previous.busy)) / (total - previous.total);
      out.push(
        gauge("instance:cpu_usage:percent", "CPU in use since the previous scrape, percent.", [
          sample("instance:cpu_usage:percent", {}, Math.max(0, Math.min(100, percent))),
        ]),
      );
    }
  }
  const total = byName.get("node_memory_MemTotal_bytes")?.samples[0]?.value;
  const available = byName.get("node_memory_MemAvailable_bytes")?.samples[0]?.value;
  if (total && available !== undefined)
    out.push(
      gauge("instance:memory_usage:percent", "Memory in use, percent.", [
        sample("instance:memory_usage:percent", {}, 100 * (1 - available / total)),
      ]),
    );
  const sizes = byName.get("node_filesystem_size_bytes")?.samples ?? [];
  const avail = new Map(
    (byName.get("node_filesystem_avail_bytes")?.samples ?? []).map((s) => [s.labels.mountpoint, s.value]),
  );
  const fs: Family["samples"] = [];
  for (const s of sizes) {
    const a = avail.get(s.labels.mountpoint);
    if (a === undefined || s.value <= 0) continue;
    fs.push(
      sample("instance:filesystem_usage:percent", { mountpoint: s.labels.mountpoint ?? "" }, 100 * (1 - a / s.value)),
    );
  }
  if (fs.length > 0) out.push(gauge("instance:filesystem_usage:percent", "File system space in use, percent.", fs));
  const connections = connectionUse(byName);
  if (connections !== null)
    out.push(
      gauge("instance:database_connections:percent", "Database connections in use, percent of the maximum.", [
        sample("instance:database_connections:percent", {}, connections),
      ]),
    );
  return { families: out, cpu: reading };
}
