import type { Area } from "../shell/area";
import { auditArea } from "./audit/area";
import { backupsArea } from "./backups/area";
import { continuityArea } from "./continuity/area";
import { eventsArea } from "./events/area";
import { monitoringArea } from "./monitoring/area";
import { organizationsArea } from "./organizations/area";
import { overviewArea } from "./overview/area";
import { planArea } from "./plan/area";
import { ticketsArea } from "./tickets/area";
import { usersArea } from "./users/area";
import { webhooksArea } from "./webhooks/area";

/** Every area of the app, in navigation order. A feature appears here once it has a working page. */
export const areas: readonly Area[] = [
  overviewArea,
  ticketsArea,
  monitoringArea,
  planArea,
  backupsArea,
  continuityArea,
  organizationsArea,
  usersArea,
  auditArea,
  eventsArea,
  webhooksArea,
];
