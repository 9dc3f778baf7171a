import "@mantine/core/styles.css";
import { createTheme, localStorageColorSchemeManager, MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { areas } from "./features/registry";
import { setupI18n } from "./i18n";
import { NotFoundPage } from "./shell/NotFoundPage";
import { Shell } from "./shell/Shell";

const theme = createTheme({ primaryColor: "blue", defaultRadius: "md" });
const colorSchemeManager = localStorageColorSchemeManager({ key: "plantao.color-scheme" });
const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });

const router = createBrowserRouter([
  {
    element: <Shell />,
    children: [
      ...areas.map((area) => ({ path: area.path, element: <area.page /> })),
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

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
