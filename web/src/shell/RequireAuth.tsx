import { Navigate, Outlet, useLocation } from "react-router";
import { useOptionalUser } from "../auth/AuthProvider";

/** Pages below need a signed-in user; anyone else goes to the login page and comes back afterwards. */
export function RequireAuth() {
  const user = useOptionalUser();
  const location = useLocation();
  if (!user) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
