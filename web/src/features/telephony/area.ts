import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { PbxIcon, PhoneIcon } from "./icons";

/** The call log: every call the PBXs reported, for staff. */
export const callsArea: Area = {
  path: "/calls",
  label: "phone.navCalls",
  icon: PhoneIcon,
  requires: "tickets",
  staffOnly: true,
  page: lazyPage(() => import("./CallLogPage").then((m) => ({ default: m.CallLogPage }))),
};

// PBX connections hold AMI secrets: the server allows administrators only.
export const pbxArea: Area = {
  path: "/pbx",
  label: "phone.navPbx",
  icon: PbxIcon,
  roles: ["admin"],
  page: lazyPage(() => import("./PbxConnectionsPage").then((m) => ({ default: m.PbxConnectionsPage }))),
};
