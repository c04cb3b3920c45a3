/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The built app is served by Django (WhiteNoise) under /static/, from the same daphne as the API
// and the WebSockets. In development, Vite's dev server proxies everything else to daphne.
const backend = process.env.OC_BACKEND_URL ?? "http://127.0.0.1:8000";

export default defineConfig(({ command }) => ({
  // built: under /static/ (WhiteNoise); dev server: at the root, so the app's URLs work as they are
  base: command === "build" ? "/static/" : "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": backend,
      "/admin": backend,
      "/accounts": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
}));
