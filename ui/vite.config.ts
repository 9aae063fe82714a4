import { fileURLToPath, URL } from "node:url";
import { defineConfig } from "vitest/config";
import vue from "@vitejs/plugin-vue";
import VueI18nPlugin from "@intlify/unplugin-vue-i18n/vite";

const src = (p: string): string => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

// The app runs inside Tauri under a strict CSP (no 'unsafe-eval'), so vue-i18n's
// message compiler must never run in the webview: locale JSON is precompiled to
// functions by the unplugin at build time, and `vue-i18n` resolves to the
// runtime-only build (no compiler in the bundle) in every mode, tests included.
export default defineConfig({
  plugins: [
    vue(),
    VueI18nPlugin({
      include: [src("i18n/locales/**/*.json")],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: true,
      dropMessageCompiler: true,
      strictMessage: true,
      escapeHtml: false,
    }),
  ],
  resolve: {
    alias: [
      { find: /^vue-i18n$/, replacement: "vue-i18n/dist/vue-i18n.runtime.esm-bundler.js" },
    ],
  },
  // Tauri expects a fixed port and must see Rust errors in the terminal.
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: process.env.TAURI_DEV_HOST || false,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.spec.ts", "tests/**/*.spec.ts"],
    setupFiles: ["tests/setup.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
