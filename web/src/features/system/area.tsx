import type { Area } from "../../shell/area";
import { type IconProps, Svg } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

function ServerIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01" />
    </Svg>
  );
}

/** The server itself (version, database, schema, readiness), for admins; it was everyone's home page before. */
export const systemArea: Area = {
  path: "/system",
  label: "nav.system",
  icon: ServerIcon,
  roles: ["admin"],
  page: lazyPage(() => import("./SystemPage").then((m) => ({ default: m.SystemPage }))),
};
