import type { Area } from "../shell/area";
import { alertsArea, metricsArea } from "./alerts/area";
import { auditArea } from "./audit/area";
import { backupsArea } from "./backups/area";
import { chatArea } from "./chat/area";
import { continuityArea } from "./continuity/area";
import { eventsArea } from "./events/area";
import { homeArea } from "./home/area";
import { incidentsArea } from "./incidents/area";
import { kbArea } from "./kb/area";
import { kbTracksArea } from "./kb/tracks-area";
import { mailboxesArea } from "./mailboxes/area";
import { monitoringArea } from "./monitoring/area";
import { oncallArea } from "./oncall/area";
import { organizationsArea } from "./organizations/area";
import { planArea } from "./plan/area";
import { scheduledCallsArea } from "./scheduling/area";
import { statusArea } from "./status/area";
import { systemArea } from "./system/area";
import { callsArea, pbxArea } from "./telephony/area";
import { ticketsArea } from "./tickets/area";
import { usersArea } from "./users/area";
import { webhooksArea } from "./webhooks/area";

/** Every area of the app, in navigation order. A feature appears here once it has a working page. */
export const areas: readonly Area[] = [
  homeArea,
  ticketsArea,
  scheduledCallsArea,
  chatArea,
  callsArea,
  incidentsArea,
  monitoringArea,
  oncallArea,
  alertsArea,
  metricsArea,
  statusArea,
  kbArea,
  kbTracksArea,
  planArea,
  backupsArea,
  continuityArea,
  organizationsArea,
  usersArea,
  auditArea,
  eventsArea,
  webhooksArea,
  mailboxesArea,
  pbxArea,
  systemArea,
];
