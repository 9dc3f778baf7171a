import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";

/** Staff pages a customer has a portal page for: the notification preferences every mail links to. */
const portalPageOf: Record<string, string> = { "/notifications/preferences": "/portal/notifications" };

/** The staff app: a customer who opens it is sent to the portal (to the same page there, when it has one). */
export function CustomersToPortal({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const { pathname } = useLocation();
  if (!isStaff(user.role)) return <Navigate to={portalPageOf[pathname] ?? "/portal"} replace />;
  return children;
}
