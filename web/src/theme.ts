/**
 * The one Grafana theme of the app (dark), shared by @grafana/flamegraph and, through CSS
 * variables, by the app's own elements, so both look alike.
 */
import { createTheme } from "@grafana/data";
import type { GrafanaTheme2 } from "@grafana/data";

/** Grafana's dark theme. */
export const theme: GrafanaTheme2 = createTheme({ colors: { mode: "dark" } });

/** The theme getter @grafana/flamegraph asks for; stable, so the graph is not rebuilt on render. */
export function getTheme(): GrafanaTheme2 {
  return theme;
}

/** Series colours of the charts: Grafana's classic palette. */
export const SERIES_COLORS: readonly string[] = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0", "#508642", "#CCA300"];

/** Sets the theme's colours as CSS variables on `el` (read by app.css). */
export function applyThemeVariables(el: HTMLElement): void {
  const c = theme.colors;
  const vars: Record<string, string> = {
    "--bg-canvas": c.background.canvas,
    "--bg-primary": c.background.primary,
    "--bg-secondary": c.background.secondary,
    "--border": c.border.medium,
    "--border-weak": c.border.weak,
    "--text": c.text.primary,
    "--text-secondary": c.text.secondary,
    "--text-link": c.text.link,
    "--primary": c.primary.main,
    "--primary-text": c.primary.contrastText,
    "--error": c.error.text,
    "--error-bg": c.error.transparent,
    "--success": c.success.text,
    "--font": theme.typography.fontFamily,
    "--font-mono": theme.typography.fontFamilyMonospace,
  };
  for (const [k, v] of Object.entries(vars)) el.style.setProperty(k, v);
}
