import { PreferencesPage } from "./features/notifications/PreferencesPage";
import "@mantine/core/styles.css";
import { Badge, createTheme, localStorageColorSchemeManager, MantineProvider } from "@mantine/core";
import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, matchRoutes, Outlet, RouterProvider } from "react-router";
import { AuthProvider, isFinalProblem, isSessionEnded, meQuery } from "./auth/AuthProvider";
import { isStaff } from "./auth/access";
import { ForgotPasswordPage } from "./features/auth/ForgotPasswordPage";
import { LoginPage } from "./features/auth/LoginPage";
import { ResetPasswordPage } from "./features/auth/ResetPasswordPage";
import { SetupPage } from "./features/auth/SetupPage";
import { AckLinkPage } from "./features/oncall/AckLinkPage";
import { CustomersToPortal } from "./features/portal/CustomersToPortal";
import { portalRoute, SurveyPage } from "./features/portal/routes";
import { areas } from "./features/registry";
import { setupI18n } from "./i18n";
import { mayOpen } from "./shell/area";
import { AreaPage } from "./shell/lazyPage";
import { AreaGuard } from "./shell/NotAvailablePage";
import { NotFoundPage } from "./shell/NotFoundPage";
import { RequireAuth } from "./shell/RequireAuth";
import { Shell } from "./shell/Shell";

const ProfilePage = lazy(() => import("./features/profile/ProfilePage").then((m) => ({ default: m.ProfilePage })));

const theme = createTheme({
  primaryColor: "blue",
  defaultRadius: "md",
  components: {
    // A badge is never cut to "SUCE…": it keeps its text's width, and wraps only when the text is wider than its row.
    Badge: Badge.extend({
      styles: {
        root: { flexShrink: 0, maxWidth: "100%", height: "auto", minHeight: "var(--badge-height)" },
        label: { overflow: "visible", whiteSpace: "normal", textOverflow: "clip", lineHeight: 1.25 },
      },
    }),
  },
});
const colorSchemeManager = localStorageColorSchemeManager({ key: "plantao.color-scheme" });
const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: { refetchOnWindowFocus: false, retry: (count, error) => !isFinalProblem(error) && count < 2 },
  },
  // A 401 on any page means the session is gone: forgetting the user sends the app back to the login page.
  queryCache: new QueryCache({
    onError: (error) => {
      if (isSessionEnded(error)) queryClient.setQueryData(meQuery.queryKey, null);
    },
  }),
});

const router = createBrowserRouter([
  {
    element: (
      <AuthProvider>
        <Outlet />
      </AuthProvider>
    ),
    children: [
      { path: "/login", element: <LoginPage /> },
      { path: "/forgot-password", element: <ForgotPasswordPage /> },
      { path: "/reset-password", element: <ResetPasswordPage /> },
      { path: "/setup", element: <SetupPage /> },
      // A mailed acknowledgement link: no login, the token is the credential.
      { path: "/oncall/acknowledge", element: <AckLinkPage /> },
      { path: "/survey/:token", element: <SurveyPage /> },
      {
        element: <RequireAuth />,
        children: [
          portalRoute,
          {
            element: (
              <CustomersToPortal>
                <Shell />
              </CustomersToPortal>
            ),
            children: [
              ...areas.flatMap((area) => [
                {
                  path: area.path,
                  element: (
                    <AreaGuard area={area}>
                      <AreaPage page={area.page} />
                    </AreaGuard>
                  ),
                },
                ...(area.subpages ?? []).map((sub) => ({
                  path: sub.path,
                  element: (
                    <AreaGuard area={area}>
                      <AreaPage page={sub.page} />
                    </AreaGuard>
                  ),
                })),
              ]),
              { path: "/profile", element: <ProfilePage /> },
              { path: "/notifications/preferences", element: <PreferencesPage /> },
              { path: "*", element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
]);

// The page the address opens starts loading now, beside the session check, instead of once the shell is drawn;
// the session check itself starts before the first render, and the page's opening data as soon as it answers
// (only for a reader the page is for: a customer's visit to a staff page asks the server nothing more).
const pages = areas.flatMap((area) => [
  { area, path: area.path, page: area.page, prefetch: area.prefetch },
  ...(area.subpages ?? []).map((sub) => ({ area, ...sub, prefetch: undefined })),
]);
const opening = matchRoutes(
  pages.map((page, index) => ({ path: page.path, id: String(index) })),
  window.location,
)?.[0];
const openingPage = opening ? pages[Number(opening.route.id)] : undefined;
void openingPage?.page.preload();
void queryClient.fetchQuery(meQuery).then(
  (me) => {
    // Customers are sent to the portal: the staff app's pages never open for them.
    const reader = me?.user.role;
    if (reader && isStaff(reader) && openingPage?.prefetch && mayOpen(openingPage.area, reader))
      openingPage.prefetch(queryClient, me.user.locale);
  },
  // The shell's own session check shows what went wrong.
  () => undefined,
);

void setupI18n().then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <MantineProvider theme={theme} colorSchemeManager={colorSchemeManager} defaultColorScheme="auto">
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  ),
);
