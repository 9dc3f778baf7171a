import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff, type Role } from "../../auth/access";

/** The provider's active staff, who may be on call; empty for a role that cannot list users. */
export function useOncallStaff() {
  const { user, can } = useAuth();
  return useQuery({
    queryKey: ["oncall", "staff", user.organizationId],
    enabled: can("users"),
    staleTime: 60_000,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/users", {
          params: { query: { organizationId: user.organizationId, limit: 200 } },
          signal,
        }),
      ).items.filter((u) => isStaff(u.role as Role) && !u.disabled),
  });
}
