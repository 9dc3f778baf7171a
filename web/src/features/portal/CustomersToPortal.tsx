import type { ReactNode } from "react";
import { Navigate } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";

/** The staff app: a customer who opens it is sent to the portal. */
export function CustomersToPortal({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  if (!isStaff(user.role)) return <Navigate to="/portal" replace />;
  return children;
}
