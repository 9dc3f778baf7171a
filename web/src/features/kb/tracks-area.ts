import type { Area } from "../../shell/area";
import { DocsIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

// Every staff member follows the tracks of their profile; customers see theirs in the portal.
export const kbTracksArea: Area = {
  path: "/kb/tracks",
  label: "kbMore.tracks.area",
  icon: DocsIcon,
  staffOnly: true,
  page: lazyPage(() => import("./TracksPage").then((m) => ({ default: m.TracksPage }))),
};
