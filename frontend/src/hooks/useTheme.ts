// Light or dark: follows the system until the user picks the other one with the toggle.
import { useCallback, useEffect, useState } from "react";

export type Theme = "light" | "dark";
export type ThemePreference = Theme | "system";

const THEME_KEY = "t2t.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

function systemTheme(): Theme {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches ? "dark" : "light";
}

function storedPreference(): ThemePreference {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export function useTheme(): { theme: Theme; preference: ThemePreference; toggle: () => void } {
  const [preference, setPreference] = useState<ThemePreference>(storedPreference);
  const [system, setSystem] = useState<Theme>(systemTheme);
  const theme = preference === "system" ? system : preference;

  useEffect(() => {
    if (typeof window.matchMedia !== "function") return;
    const query = window.matchMedia(DARK_QUERY);
    const onChange = () => setSystem(query.matches ? "dark" : "light");
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);

  const toggle = useCallback(() => {
    const next: Theme = theme === "dark" ? "light" : "dark";
    // Choosing what the system already shows means "follow the system" again.
    const nextPreference: ThemePreference = next === systemTheme() ? "system" : next;
    setPreference(nextPreference);
    try {
      if (nextPreference === "system") localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, nextPreference);
    } catch {
      // The choice then lasts for this page only.
    }
  }, [theme]);

  return { theme, preference, toggle };
}
