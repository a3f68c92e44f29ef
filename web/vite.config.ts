// Relative asset URLs: the server serves the build under <path-prefix>/ui/ and sets <base href>.
// dedupe keeps one React even if a dependency pins its own copy (two Reacts break hooks).
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import type { Plugin } from "vite";

/**
 * @grafana/ui's Icon loads `public/img/icons/<set>/<name>.svg` relative to the page; the
 * SVGs ship inside the package, so the build copies them next to index.html. The package
 * lacks angle-double-up (the flame graph's "collapse all" button), which is drawn here as
 * angle-double-down mirrored vertically.
 */
function grafanaIcons(): Plugin {
  return {
    name: "phlare-grafana-icons",
    apply: "build",
    closeBundle() {
      cpSync(
        fileURLToPath(new URL("./node_modules/@grafana/ui/dist/public/img/icons", import.meta.url)),
        fileURLToPath(new URL("./dist/public/img/icons", import.meta.url)),
        { recursive: true },
      );
      const unicons = fileURLToPath(new URL("./dist/public/img/icons/unicons/", import.meta.url));
      if (!existsSync(`${unicons}angle-double-up.svg`)) {
        const down = readFileSync(`${unicons}angle-double-down.svg`, "utf8");
        const up = down.replace(/<path/, '<g transform="matrix(1 0 0 -1 0 24)"><path').replace(/<\/svg>/, "</g></svg>");
        writeFileSync(`${unicons}angle-double-up.svg`, up);
      }
    },
  };
}

export default defineConfig({
  base: "./",
  plugins: [react(), grafanaIcons()],
  resolve: { dedupe: ["react", "react-dom"] },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4096, sourcemap: false },
});
