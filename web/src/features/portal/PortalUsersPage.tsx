import { useAuth } from "../../auth/AuthProvider";
import { NotAvailablePage } from "../../shell/NotAvailablePage";
import { UsersPage } from "../users/UsersPage";

/** A customer-admin manages the organization's users (the users page already keeps to its organization). */
export function PortalUsersPage() {
  const { user } = useAuth();
  return user.role === "customer-admin" ? <UsersPage /> : <NotAvailablePage />;
}
