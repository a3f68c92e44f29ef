/** Entry point: applies the dark theme and mounts the app. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import "./app.css";
import { applyThemeVariables } from "./theme.ts";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
applyThemeVariables(document.documentElement);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
