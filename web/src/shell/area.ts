import type { QueryClient } from "@tanstack/react-query";
import type { ParseKeys } from "i18next";
import type { ComponentType } from "react";
import { type Area as GrantArea, isStaff, type Role, roleAllows } from "../auth/access";
import type { IconProps } from "./icons";
import type { LazyPage } from "./lazyPage";

/**
 * One area of the app: a page with its own entry in the navigation. Each feature declares its areas and
 * web/src/features/registry.ts lists them, so a new feature adds pages without touching the shell.
 */
export interface Area {
  /** Client route; "/" is the home page. */
  path: string;
  label: ParseKeys;
  icon: ComponentType<IconProps>;
  page: LazyPage;
  /** The grant needed to read this area; without one, every signed-in user sees it. */
  requires?: GrantArea;
  /** Only the provider's staff use it (customers hold the grant for what the API does on their behalf). */
  staffOnly?: boolean;
  /** Only these roles use it (the server's System page is the admin's). */
  roles?: readonly Role[];
  /**
   * Asks for the data the page opens with (in the reader's `language`), when the address opens it: main.tsx
   * calls it as soon as the session says the reader may open the area, instead of once the shell has drawn.
   */
  prefetch?: (client: QueryClient, language: string) => void;
  /** Further pages under the area that have no navigation entry of their own (e.g. one ticket). */
  subpages?: { path: string; page: LazyPage }[];
}

/** Whether a user of `role` may open the area; the menu and the route guard both ask this. */
export function mayOpen(area: Pick<Area, "requires" | "staffOnly" | "roles">, role: Role): boolean {
  if (area.staffOnly && !isStaff(role)) return false;
  if (area.roles && !area.roles.includes(role)) return false;
  return !area.requires || roleAllows(role, area.requires, "read");
}
