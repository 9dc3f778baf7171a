import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff, type Role } from "../../auth/access";
import type { Step } from "./model";

/** The provider's staff, who may own steps; empty for a role that cannot list users. */
export function useStaff() {
  const { user, can } = useAuth();
  return useQuery({
    queryKey: ["continuity", "staff", user.organizationId],
    enabled: can("users"),
    staleTime: 60_000,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/users", {
          params: { query: { organizationId: user.organizationId, limit: 200 } },
          signal,
        }),
      ).items.filter((u) => isStaff(u.role as Role)),
  });
}

/** A step's owner as shown: the role's name, or the user's (their id while the list loads or is not allowed). */
export function useOwnerLabel(): (step: Pick<Step, "ownerRole" | "ownerUserId">) => string {
  const { t } = useTranslation();
  const staff = useStaff();
  return (step) => {
    if (step.ownerRole) return t(`roles.${step.ownerRole as Role}`, { defaultValue: step.ownerRole });
    return staff.data?.find((u) => u.id === step.ownerUserId)?.name ?? step.ownerUserId ?? "—";
  };
}
