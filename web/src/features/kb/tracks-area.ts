import { lazy } from "react";
import type { Area } from "../../shell/area";
import { DocsIcon } from "../../shell/icons";

// Every staff member follows the tracks of their profile; customers see theirs in the portal.
export const kbTracksArea: Area = {
  path: "/kb/tracks",
  label: "kbMore.tracks.area",
  icon: DocsIcon,
  staffOnly: true,
  page: lazy(() => import("./TracksPage").then((m) => ({ default: m.TracksPage }))),
};
