import type { Area } from "../../shell/area";
import { OverviewIcon } from "../../shell/icons";
import { OverviewPage } from "./OverviewPage";

export const overviewArea: Area = { path: "/", label: "nav.overview", icon: OverviewIcon, page: OverviewPage };
