import type { Area } from "../shell/area";
import { eventsArea } from "./events/area";
import { overviewArea } from "./overview/area";

/** Every area of the app, in navigation order. A feature appears here once it has a working page. */
export const areas: readonly Area[] = [overviewArea, eventsArea];
