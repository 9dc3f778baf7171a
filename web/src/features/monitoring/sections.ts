import { type Monitor, severity } from "./model";

export interface Section {
  group: Monitor | null;
  members: Monitor[];
}

const byUrgency = (a: Monitor, b: Monitor) =>
  (a.state ? severity[a.state.status] : 6) - (b.state ? severity[b.state.status] : 6) || a.name.localeCompare(b.name);

/** Every group monitor as a section with its matching members, then the monitors of no group. */
export function sections(monitors: Monitor[], matches: (m: Monitor) => boolean, filtering: boolean): Section[] {
  const groups = monitors.filter((m) => m.type === "group").sort((a, b) => a.name.localeCompare(b.name));
  const members = new Map<string | null, Monitor[]>(groups.map((g) => [g.id, []]));
  members.set(null, []);
  for (const m of monitors) {
    if (m.type === "group" || !matches(m)) continue;
    const key = m.groupId && members.has(m.groupId) ? m.groupId : null;
    members.get(key)?.push(m);
  }
  const out: Section[] = groups
    .map((group) => ({ group, members: (members.get(group.id) ?? []).sort(byUrgency) }))
    .filter((s) => !filtering || s.members.length > 0 || matches(s.group));
  const loose = (members.get(null) ?? []).sort(byUrgency);
  if (loose.length) out.push({ group: null, members: loose });
  return out;
}
