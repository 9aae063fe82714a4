import { defineStore } from "pinia";
import { computed, ref, watch } from "vue";
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from "../i18n";

export const THEME_CHOICES = ["auto", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type EffectiveTheme = "light" | "dark";

export const STORAGE_KEYS = {
  locale: "wxopen.locale",
  theme: "wxopen.theme",
} as const;

const DARK_QUERY = "(prefers-color-scheme: dark)";

function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEME_CHOICES as readonly string[]).includes(value);
}

function readStored<T>(key: string, valid: (v: unknown) => v is T, fallback: T): T {
  try {
    const value = globalThis.localStorage?.getItem(key);
    return valid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

function writeStored(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Storage can be unavailable (private mode, quota); the choice then lasts for this run only.
  }
}

function darkQuery(): MediaQueryList | null {
  return typeof globalThis.matchMedia === "function" ? globalThis.matchMedia(DARK_QUERY) : null;
}

/** UI preferences: interface language and colour theme, persisted in localStorage. */
export const usePrefsStore = defineStore("prefs", () => {
  const locale = ref<Locale>(readStored(STORAGE_KEYS.locale, isLocale, DEFAULT_LOCALE));
  const theme = ref<ThemeChoice>(readStored(STORAGE_KEYS.theme, isThemeChoice, "auto"));
  const systemDark = ref<boolean>(darkQuery()?.matches ?? false);

  const effectiveTheme = computed<EffectiveTheme>(() =>
    theme.value === "auto" ? (systemDark.value ? "dark" : "light") : theme.value,
  );
  /** The locale the language toggle switches to. */
  const otherLocale = computed<Locale>(
    () => LOCALES.find((l) => l !== locale.value) ?? DEFAULT_LOCALE,
  );

  watch(locale, (v) => writeStored(STORAGE_KEYS.locale, v));
  watch(theme, (v) => writeStored(STORAGE_KEYS.theme, v));

  function setLocale(next: Locale): void {
    locale.value = next;
  }
  function toggleLocale(): void {
    locale.value = otherLocale.value;
  }
  function setTheme(next: ThemeChoice): void {
    theme.value = next;
  }

  /** Follows the OS colour scheme live; returns a function that stops following it. */
  function followSystemTheme(): () => void {
    const query = darkQuery();
    if (!query) return () => {};
    systemDark.value = query.matches;
    const onChange = (event: MediaQueryListEvent): void => {
      systemDark.value = event.matches;
    };
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }

  return {
    locale,
    theme,
    systemDark,
    effectiveTheme,
    otherLocale,
    setLocale,
    toggleLocale,
    setTheme,
    followSystemTheme,
  };
});
