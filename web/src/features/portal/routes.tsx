import { lazy, Suspense } from "react";
import type { RouteObject } from "react-router";
// In the first bundle already: the staff app's route imports it too.
import { PreferencesPage } from "../notifications/PreferencesPage";

const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));

const PortalHomePage = page(() => import("./PortalHomePage"), "PortalHomePage");
const PortalTicketsPage = page(() => import("./PortalTicketsPage"), "PortalTicketsPage");
const PortalNewTicketPage = page(() => import("./PortalNewTicketPage"), "PortalNewTicketPage");
const PortalTicketPage = page(() => import("./PortalTicketPage"), "PortalTicketPage");
const PortalUsersPage = page(() => import("./PortalUsersPage"), "PortalUsersPage");
const PortalScheduledCallsPage = page(
  () => import("../scheduling/PortalScheduledCallsPage"),
  "PortalScheduledCallsPage",
);
const PortalStatusPage = page(() => import("./PortalStatusPage"), "PortalStatusPage");
const ProfilePage = page(() => import("../profile/ProfilePage"), "ProfilePage");
const PortalLayout = page(() => import("./PortalLayout"), "PortalLayout");
const TracksPage = page(() => import("../kb/TracksPage"), "TracksPage");
const PortalArticlePage = page(() => import("../kb/PortalArticlePage"), "PortalArticlePage");
const SurveyLinkPage = page(() => import("./SurveyPage"), "SurveyPage");

/** The page of a survey link: public, outside the signed-in routes. */
export function SurveyPage() {
  return (
    <Suspense fallback={null}>
      <SurveyLinkPage />
    </Suspense>
  );
}

/** The customer portal's pages, under the signed-in routes. */
export const portalRoute: RouteObject = {
  path: "/portal",
  element: (
    <Suspense fallback={null}>
      <PortalLayout />
    </Suspense>
  ),
  children: [
    { index: true, element: <PortalHomePage /> },
    { path: "tickets", element: <PortalTicketsPage /> },
    { path: "tickets/new", element: <PortalNewTicketPage /> },
    { path: "tickets/:number", element: <PortalTicketPage /> },
    { path: "users", element: <PortalUsersPage /> },
    { path: "scheduled-calls", element: <PortalScheduledCallsPage /> },
    { path: "status", element: <PortalStatusPage /> },
    { path: "profile", element: <ProfilePage /> },
    // What the customer receives: the preferences link of every mail leads here (CustomersToPortal).
    { path: "notifications", element: <PreferencesPage /> },
    { path: "tracks", element: <TracksPage /> },
    { path: "kb/articles/:id", element: <PortalArticlePage /> },
  ],
};
