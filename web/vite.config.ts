import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
// `vite dev` forwards API calls to a server started with `npm run dev` on its default port.
const api = "http://127.0.0.1:8080";

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases. The mantine and
        // vendor chunks hold only what the first page loads ($initial): a library or component that only lazy
        // pages use goes with them, not into every page's first load.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 20 },
            { name: "mantine", test: /node_modules[\\/]@mantine[\\/]/, priority: 10, tags: ["$initial"] },
            // Only the monitoring pages draw charts: uPlot loads with them, not with every page.
            { name: "uplot", test: /node_modules[\\/]uplot[\\/]/, priority: 10 },
            { name: "vendor", test: /node_modules[\\/]/, priority: 0, tags: ["$initial"] },
          ],
        },
      },
    },
  },
  server: {
    proxy: { "/api": api, "/readyz": api, "/healthz": api },
  },
});
